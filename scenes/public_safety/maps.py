"""Pure map figures of the 公共安全 scene: alarm density cells and key-area load markers.

Cells come aggregated from SQL on WGS-84 degrees; their corners are converted to GCJ-02 here
so they sit on the GCJ-02 county boundaries. The city map leaves its right part to an inset of
the central urban area, where most key areas are too close together to label on the city map.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from indicators.coords import wgs84_to_gcj02_array
from indicators.public_safety import LOAD_NORMAL, LOAD_OVER, LOAD_WARN
from scenes.base import RenderContext
from scenes.public_safety.state import AlarmState, AreaRow
from scenes.render import (
    DENSITY_COLORS,
    TEXT,
    band_labels,
    county_choropleth,
    density_cells,
    empty_figure,
    figure,
    fit_view,
)

MAP_SIZE = (892, 590)  # the map panel's drawing area on the 1920×1080 canvas
INSET = (360, 330)  # the urban-area inset, top right of the map panel
# The central urban area (WGS-84): lon, lat bounds of the inset.
CORE = (115.93, 36.425, 116.04, 36.48)
# Density bands: sequential blue → amber, never red (red is for alarms on this wall).
LOAD_COLORS = {LOAD_NORMAL: "#46d39a", LOAD_WARN: "#ffd23f", LOAD_OVER: "#ff4d4f"}
NO_LOAD = "#8fa9c4"
COUNTY_FILL = [[0.0, "#0c2640"], [1.0, "#0c2640"]]


def _legend(edges: tuple[int, ...], hours: int) -> list[dict[str, Any]]:
    labels = band_labels(edges, "起")
    text = "<br>".join(
        f"<span style='color:{DENSITY_COLORS[i]}'>■</span> {t}" for i, t in enumerate(labels)
    )
    loads = " ".join(
        f"<span style='color:{LOAD_COLORS[s]}'>●</span>{s}"
        for s in (LOAD_NORMAL, LOAD_WARN, LOAD_OVER)
    )
    box = {"xref": "paper", "yref": "paper", "showarrow": False, "align": "left", "font": {"size": 15, "color": TEXT}, "bgcolor": "rgba(7,24,43,0.78)"}  # fmt: skip
    return [
        {
            **box,
            "text": f"近{hours}小时警情密度<br>每格约2公里<br>{text}",
            "x": 0.01,
            "y": 0.01,
            "xanchor": "left",
            "yanchor": "bottom",
        },  # fmt: skip
        {
            **box,
            "text": f"重点区域 {loads}",
            "x": 0.01,
            "y": 0.99,
            "xanchor": "left",
            "yanchor": "top",
        },  # fmt: skip
    ]


def _in_core(a: AreaRow) -> bool:
    return CORE[0] <= a.lon <= CORE[2] and CORE[1] <= a.lat <= CORE[3]


def area_text(a: AreaRow) -> str:
    """'聊城站 86% 预警': name, load and status in words (never colour alone)."""
    if a.load is None:
        return f"{a.name} 无数据"
    status = "" if a.load.status == LOAD_NORMAL else f" {a.load.status}"
    return f"{a.name} {a.load.percent}%{status}"


def _markers(areas: list[AreaRow], labelled: bool, text_size: int = 15) -> list[go.Scattermap]:
    if not areas:
        return []
    lon, lat = wgs84_to_gcj02_array([a.lon for a in areas], [a.lat for a in areas])
    lon_l, lat_l = [round(float(v), 5) for v in lon], [round(float(v), 5) for v in lat]
    sizes = [10 + 14 * min(a.load.ratio, 1.2) if a.load else 10 for a in areas]
    colors = [LOAD_COLORS[a.load.status] if a.load else NO_LOAD for a in areas]
    traces = [
        go.Scattermap(
            lon=lon_l,
            lat=lat_l,
            mode="markers",
            marker={"size": [s + 4 for s in sizes], "color": "#061427"},
            hoverinfo="skip",
        ),  # fmt: skip
        go.Scattermap(
            lon=lon_l,
            lat=lat_l,
            mode="markers",
            marker={"size": sizes, "color": colors},
            hoverinfo="skip",
        ),  # fmt: skip
    ]
    if labelled:
        # Offset labels need real (here invisible) markers: plotly.js derives the offset from
        # them. Scattermap's textposition is one value per trace, so one trace per side.
        sides = [_label_side(a) for a in areas]
        for side in dict.fromkeys(sides):
            idx = [i for i, s in enumerate(sides) if s == side]
            traces.append(
                go.Scattermap(
                    lon=[lon_l[i] for i in idx],
                    lat=[lat_l[i] for i in idx],
                    mode="markers+text",
                    marker={"size": [sizes[i] + 4 for i in idx], "opacity": 0},
                    text=[area_text(areas[i]) for i in idx],
                    textposition=side,
                    textfont={"size": text_size, "color": "#ffffff"},
                    hoverinfo="skip",
                )
            )
    return traces


def _label_side(a: AreaRow) -> str:
    """Which side a label goes: fixed sides for close neighbours in the urban inset."""
    sides = {"KA02": "bottom right", "KA03": "middle left", "KA04": "top right", "KA07": "top center", "KA08": "top left"}  # fmt: skip
    return sides.get(a.area_id, "middle right")


def _view(
    bounds: tuple[float, float, float, float], size: tuple[int, int], shift_px: float = 0.0
) -> dict[str, Any]:
    center, zoom = fit_view(bounds, size)
    center["lon"] = round(center["lon"] + shift_px * 360 / (512 * 2**zoom), 5)
    return {"center": center, "zoom": zoom}


def _counties(ctx: RenderContext) -> go.Choroplethmap:
    return county_choropleth(
        ctx.geo, dict.fromkeys(ctx.geo.names, 0.0), colorscale=COUNTY_FILL, zmin=0, zmax=1
    )


def city_map(
    alarms: AlarmState | None,
    areas: tuple[AreaRow, ...],
    ctx: RenderContext,
    edges: tuple[int, ...],
) -> dict[str, Any]:
    """The whole city: county outlines, density cells, key areas (urban ones unlabelled)."""
    if alarms is None and not areas:
        return empty_figure()
    traces: list[Any] = [_counties(ctx)]
    cells = density_cells(alarms.grid, alarms.cell_deg, edges, opacity=0.82) if alarms else None
    if cells is not None:
        traces.append(cells)
    outer = [a for a in areas if not _in_core(a)]
    core = [a for a in areas if _in_core(a)]
    traces += _markers(core, False) + _markers(outer, True)
    names = [n for n in ctx.geo.names if n in ctx.geo.label_points]
    traces.append(go.Scattermap(lon=[ctx.geo.label_points[c][0] for c in names], lat=[ctx.geo.label_points[c][1] for c in names], mode="text", text=[ctx.geo.names[c] for c in names], textfont={"size": 15, "color": "#9fc3e4"}, hoverinfo="skip"))  # fmt: skip
    annotations = _legend(edges, alarms.density_hours if alarms else 24)
    if alarms is not None and not alarms.grid:
        annotations.append({"text": "近期暂无警情", "x": 0.35, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False, "font": {"size": 22, "color": TEXT}})  # fmt: skip
    bounds = ctx.geo.bounds or (115.2, 35.7, 116.6, 37.1)
    view = _view(bounds, (MAP_SIZE[0] - INSET[0] - 20, MAP_SIZE[1]), INSET[0] / 2 + 10)
    return figure(traces, map={"style": dict(ctx.map_style), **view}, margin={"l": 0, "r": 0, "t": 0, "b": 0}, annotations=annotations)  # fmt: skip


def core_map(
    alarms: AlarmState | None,
    areas: tuple[AreaRow, ...],
    ctx: RenderContext,
    edges: tuple[int, ...],
) -> dict[str, Any]:
    """The central urban area, zoomed in, with every key area there labelled."""
    core = [a for a in areas if _in_core(a)]
    if alarms is None and not core:
        return empty_figure()
    traces: list[Any] = [_counties(ctx)]
    cells = density_cells(alarms.grid, alarms.cell_deg, edges, opacity=0.82) if alarms else None
    if cells is not None:
        traces.append(cells)
    traces += _markers(core, True, text_size=15)
    lon, lat = wgs84_to_gcj02_array([CORE[0], CORE[2]], [CORE[1], CORE[3]])
    view = _view((float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1])), INSET)
    title = {"text": "中心城区", "x": 0.02, "y": 0.98, "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "top", "showarrow": False, "font": {"size": 16, "color": TEXT}, "bgcolor": "rgba(7,24,43,0.78)"}  # fmt: skip
    return figure(traces, map={"style": dict(ctx.map_style), **view}, margin={"l": 0, "r": 0, "t": 0, "b": 0}, annotations=[title])  # fmt: skip
