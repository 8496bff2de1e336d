"""Pure map of the 交通运行 scene: segments by grade, vehicles (points or grid counts), incidents.

The trace list has a fixed order and length, so live updates patch only what moved (vehicle
positions every few seconds, segment colours when speeds change) instead of resending the map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from indicators.coords import wgs84_to_gcj02_array
from indicators.traffic import GRADE_COLORS, GRADES
from scenes.base import Geo, RenderContext
from scenes.render import TEXT, base_layout, empty_figure, figure, fit_view
from scenes.traffic.network import TrafficState

# The map panel's plot area on the 1920×1080 canvas (traffic-grid centre column, rows 2-4).
MAP_SIZE = (910, 585)
NO_DATA = "无数据"
NO_DATA_COLOR = "#5b6b7d"
VEHICLE_COLORS = {"bus": "#8fe9ff", "taxi": "#d7b9ff"}
VEHICLE_LABELS = {"bus": "公交", "taxi": "出租车"}
INCIDENT_COLORS = {"accident": "#ff4d4f", "construction": "#ffb443", "closure": "#e05cff"}
CELL_COLOR = "rgba(143,233,255,0.3)"
LABELLED_CELLS = 8
URBAN_CENTRE = (115.99, 36.456)


def _lines(segs: Sequence[Any]) -> tuple[list, list, list]:
    """lon/lat lists with None breaks, and [segment_id, road] per vertex for clicks."""
    lon: list[float | None] = []
    lat: list[float | None] = []
    custom: list[list[str] | None] = []
    for s in segs:
        for x, y in s.path:
            lon.append(x)
            lat.append(y)
            custom.append([s.segment_id, s.road])
        lon.append(None)
        lat.append(None)
        custom.append(None)
    return lon, lat, custom


def grade_traces(state: TrafficState) -> list[go.Scattermap]:
    """One line trace per grade (plus 无数据), so the legend names every colour in text."""
    traces = []
    for grade in (*GRADES, NO_DATA):
        segs = [s for s in state.segments if (s.grade or NO_DATA) == grade]
        lon, lat, custom = _lines(segs)
        traces.append(
            go.Scattermap(
                lon=lon,
                lat=lat,
                customdata=custom,
                mode="lines",
                line={"width": 3.5, "color": GRADE_COLORS.get(grade, NO_DATA_COLOR)},
                name=grade,
                hoverinfo="none",  # no tooltip on the wall, but clicks still report the segment
                showlegend=True,
            )
        )
    return traces


def _boundaries(geo: Geo) -> go.Scattermap:
    lon: list[float | None] = []
    lat: list[float | None] = []
    for f in geo.counties["features"]:
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            for x, y in poly[0]:
                lon.append(x)
                lat.append(y)
            lon.append(None)
            lat.append(None)
    return go.Scattermap(
        lon=lon,
        lat=lat,
        mode="lines",
        line={"width": 1.2, "color": "rgba(160,200,240,0.45)"},
        hoverinfo="skip",
        showlegend=False,
    )


def grid_counts(points: np.ndarray, cell: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Aggregate GCJ-02 points into square cells: cell-centre lon, lat and counts."""
    keys = np.floor(points / cell).astype(np.int64)
    uniq, counts = np.unique(keys, axis=0, return_counts=True)
    centres = (uniq + 0.5) * cell
    return np.round(centres[:, 0], 5), np.round(centres[:, 1], 5), counts


def vehicle_traces(state: TrafficState, max_points: int, cell: float) -> list[go.Scattermap]:
    """Three traces: raw bus and taxi points, or grid cells and their count labels."""
    gcj: dict[str, np.ndarray] = {}
    for kind in ("bus", "taxi"):
        pts = np.asarray(state.vehicles.get(kind) or np.empty((0, 2)), dtype=float).reshape(-1, 2)
        lon, lat = wgs84_to_gcj02_array(pts[:, 0], pts[:, 1])
        gcj[kind] = np.column_stack([lon, lat])
    total = sum(len(v) for v in gcj.values())
    if total <= max_points:
        traces = [
            go.Scattermap(
                lon=np.round(gcj[k][:, 0], 5).tolist(),
                lat=np.round(gcj[k][:, 1], 5).tolist(),
                mode="markers",
                marker={"size": 5, "color": VEHICLE_COLORS[k]},
                name=f"{VEHICLE_LABELS[k]} {len(gcj[k])}辆",
                hoverinfo="skip",
            )
            for k in ("bus", "taxi")
        ]
        return [
            *traces,
            go.Scattermap(lon=[], lat=[], mode="text", hoverinfo="skip", showlegend=False),
        ]
    cx, cy, n = grid_counts(np.vstack([gcj["bus"], gcj["taxi"]]), cell)
    top = np.argsort(-n, kind="stable")[:LABELLED_CELLS]
    cells = go.Scattermap(
        lon=cx.tolist(),
        lat=cy.tolist(),
        mode="markers",
        marker={
            "size": np.clip(4 + 2.2 * np.sqrt(n), 5, 30).round(1).tolist(),
            "color": CELL_COLOR,
        },
        name=f"车辆网格 {total}辆",
        hoverinfo="skip",
    )
    labels = go.Scattermap(
        lon=cx[top].tolist(),
        lat=cy[top].tolist(),
        mode="text",
        text=[str(int(v)) for v in n[top]],
        textposition="middle center",
        textfont={"size": 14, "color": "#ffffff"},
        hoverinfo="skip",
        showlegend=False,
    )
    empty = go.Scattermap(lon=[], lat=[], mode="markers", hoverinfo="skip", showlegend=False)
    return [cells, empty, labels]


def incident_traces(state: TrafficState) -> list[go.Scattermap]:
    """A white halo and a kind-coloured marker with its kind in words, for active incidents."""
    active = [i for i in state.incidents if i.active]
    lon, lat = wgs84_to_gcj02_array([i.lon for i in active], [i.lat for i in active])
    lon_l, lat_l = [round(float(x), 5) for x in lon], [round(float(y), 5) for y in lat]
    halo = go.Scattermap(
        lon=lon_l, lat=lat_l, mode="markers", marker={"size": 24, "color": "#f2f7fb"},
        hoverinfo="skip", showlegend=False,
    )  # fmt: skip
    marks = go.Scattermap(
        lon=lon_l,
        lat=lat_l,
        # Offset text needs real markers (mode="text" gives MapLibre a NaN text-offset).
        mode="markers+text",
        marker={"size": 16, "color": [INCIDENT_COLORS.get(i.kind, "#ffffff") for i in active]},
        text=[f"{i.label}·{i.road}" for i in active],
        textposition="top right",
        textfont={"size": 15, "color": "#ffffff"},
        name=f"交通事件 {len(active)}起",
        hoverinfo="skip",
    )
    return [halo, marks]


def _note(text: str, y: float) -> dict[str, Any]:
    return {
        "text": text, "x": 0.01, "y": y, "xref": "paper", "yref": "paper", "xanchor": "left",
        "yanchor": "top", "showarrow": False, "align": "left", "font": {"size": 15, "color": TEXT},
        "bgcolor": "rgba(7,24,43,0.8)",
    }  # fmt: skip


def legend(state: TrafficState, max_points: int) -> list[dict[str, Any]]:
    """Every grade with its v/vf range, vehicles and incidents, always complete (text + colour)."""
    spans = (">70%", "50–70%", "40–50%", "30–40%", "≤30%")
    rows = [
        f"<span style='color:{GRADE_COLORS[g]}'>━━</span> {g} {span}"
        for g, span in zip(GRADES, spans, strict=True)
    ]
    rows.append(f"<span style='color:{NO_DATA_COLOR}'>━━</span> {NO_DATA}")
    total = sum(len(v) for v in state.vehicles.values())
    if total > max_points:
        rows.append(
            f"<span style='color:{VEHICLE_COLORS['bus']}'>●</span> 车辆 {total}辆（按网格计数）"
        )
    else:
        rows += [
            f"<span style='color:{VEHICLE_COLORS[k]}'>●</span> {VEHICLE_LABELS[k]} {len(state.vehicles.get(k) or ())}辆"
            for k in ("bus", "taxi")
        ]
    active = sum(1 for i in state.incidents if i.active)
    rows.append(f"<span style='color:{INCIDENT_COLORS['accident']}'>●</span> 交通事件 {active}起")
    return [_note("<br>".join(rows), 0.99)]


def view_of(size: tuple[int, int], span_km: float) -> tuple[dict[str, float], float]:
    """Centre and zoom showing `span_km` of width around the urban network."""
    half_x = span_km / 2 / (111.32 * math.cos(math.radians(URBAN_CENTRE[1])))
    half_y = half_x * size[1] / size[0] * math.cos(math.radians(URBAN_CENTRE[1]))
    x, y = URBAN_CENTRE
    return fit_view((x - half_x, y - half_y, x + half_x, y + half_y), size, pad=0.0)


def map_figure(state: TrafficState, ctx: RenderContext, options: Any) -> dict[str, Any]:
    """Boundaries, grade lines, vehicles and incidents over the inline offline style."""
    if not state.segments:
        return empty_figure()
    vehicles = vehicle_traces(state, options.max_points, options.grid_cell_deg)
    # Vehicles under the road colours, count labels and incidents on top.
    traces = [
        _boundaries(ctx.geo),
        *vehicles[:2],
        *grade_traces(state),
        vehicles[2],
        *incident_traces(state),
    ]
    stamp = f"{state.as_of:%H:%M} 实时路况" if state.as_of else "暂无实时车速"
    center, zoom = view_of(MAP_SIZE, options.map_span_km)
    layout = base_layout(
        map={"style": dict(ctx.map_style), "center": center, "zoom": zoom},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        hovermode="closest",
        clickmode="event",
        annotations=[
            *legend(state, options.max_points),
            {
                "text": f"{stamp} · {len(state.segments)}个路段",
                "x": 0.99, "y": 0.99, "xref": "paper", "yref": "paper", "xanchor": "right",
                "yanchor": "top", "showarrow": False, "font": {"size": 16, "color": TEXT},
                "bgcolor": "rgba(7,24,43,0.8)",
            }
        ],
    )  # fmt: skip
    return figure(traces, **layout)
