"""Pure map figure of the 网格化治理 scene: open events per grid as a banded choropleth.

Grid polygons are stored in WGS-84 and converted to GCJ-02 here, so they sit on the GCJ-02
county boundaries. The figure keeps the same traces in the same order on every render: the
heavy grid geometry (`data.0.geojson`) and `locations` do not change between ticks, so the
hub's per-trace-key fingerprints change only for `data.0.z` and the alert labels, and the live
callback sends browsers a Patch of those keys, never the geometry again.
Traces OUTLINE and MEMBERS stay empty here: the browser fills them for the selected grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from indicators.coords import wgs84_to_gcj02_array
from scenes.base import RenderContext
from scenes.grid_governance.state import GovState
from scenes.render import TEXT, base_layout, discrete_scale, empty_figure, figure, fit_view

MAP_SIZE = (920, 648)  # the map panel's drawing area on the 1920×1080 canvas
NONE_COLOR = "#12304d"  # a grid without open events
# Bands: sequential blue → amber → orange; the words in the legend carry the same meaning.
HEAT_COLORS = ("#2b7bb5", "#33b3d6", "#5fd0a8", "#d9e05a", "#ffc94a", "#ff9a3a", "#ff6a3a")
ONLINE_COLOR, OFFLINE_COLOR = "#46d39a", "#9aa9b8"
ALERT_COLOR = "#ffb443"
(GRID_FILL, COUNTY_LINES, ALERT_OUTLINES, OUTLINE, MEMBERS, ALERT_RINGS, ALERT_LABELS, COUNTY_LABELS) = range(8)  # fmt: skip
N_TRACES = 8


def band_of(n: int, edges: Sequence[int]) -> int:
    """0 for no open event, else 1 + the index of the first upper edge >= n (len+1 above all)."""
    if n <= 0:
        return 0
    return next((i + 1 for i, e in enumerate(edges) if n <= e), len(edges) + 1)


def band_labels(edges: Sequence[int]) -> list[str]:
    """'无', '1件', '2–3件', … '≥11件' for integer band edges."""
    out, lower = ["无"], 1
    for e in edges:
        out.append(f"{e}件" if e == lower else f"{lower}–{e}件")
        lower = e + 1
    return [*out, f"≥{lower}件"]


def band_colors(edges: Sequence[int]) -> list[str]:
    """The colour of each band, band 0 (no open event) first."""
    return [NONE_COLOR, *HEAT_COLORS[: len(edges) + 1]]


def _ring(ring: Sequence[Sequence[float]]) -> list[list[float]]:
    arr = np.asarray(ring, dtype=float)
    lon, lat = wgs84_to_gcj02_array(arr[:, 0], arr[:, 1])
    return [[round(float(x), 5), round(float(y), 5)] for x, y in zip(lon, lat, strict=True)]


def to_gcj_geometry(geom: Mapping[str, Any]) -> dict[str, Any]:
    """A WGS-84 GeoJSON Polygon/MultiPolygon converted to GCJ-02 (5 decimals, ~1 m)."""
    if geom["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [_ring(r) for r in geom["coordinates"]]}
    return {
        "type": "MultiPolygon",
        "coordinates": [[_ring(r) for r in poly] for poly in geom["coordinates"]],
    }


def _county_lines(ctx: RenderContext) -> go.Scattermap:
    lon, lat = outline_lines([f["geometry"] for f in ctx.geo.counties["features"]])
    return go.Scattermap(lon=lon, lat=lat, mode="lines", line={"width": 2, "color": "rgba(210,235,255,0.9)"}, hoverinfo="skip")  # fmt: skip


def _empty_layers() -> list[go.Scattermap]:
    """The selected grid's outline and members (filled in the browser, see callbacks.py)."""
    return [
        go.Scattermap(lon=[], lat=[], mode="lines", line={"width": 4, "color": "#ffffff"}, hoverinfo="skip"),
        go.Scattermap(lon=[], lat=[], mode="markers", marker={"size": 13, "color": []}, hoverinfo="skip"),
    ]  # fmt: skip


def hot_grids(state: GovState, alert: int) -> list[tuple[int, str]]:
    """(open, code) of the drawn grids at or above the alert threshold, most open first."""
    drawn = {c.code for c in state.cells}
    hot = [
        (n.open, code) for code, n in state.per_grid.items() if n.open >= alert and code in drawn
    ]
    return sorted(hot, key=lambda x: (-x[0], x[1]))


def outline_lines(geoms: Sequence[Mapping[str, Any]]) -> tuple[list[Any], list[Any]]:
    """lon/lat lists (None between rings) of the outer rings of GeoJSON polygons."""
    lon: list[Any] = []
    lat: list[Any] = []
    for g in geoms:
        for poly in g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]:
            lon += [p[0] for p in poly[0]] + [None]
            lat += [p[1] for p in poly[0]] + [None]
    return lon, lat


def _alert_outlines(hot: list[tuple[int, str]], shapes: Mapping[str, Any]) -> go.Scattermap:
    """An amber frame around every alert grid: a shape, so the alert never rests on colour."""
    lon, lat = outline_lines([shapes[code] for _, code in hot])
    return go.Scattermap(lon=lon, lat=lat, mode="lines", line={"width": 3, "color": ALERT_COLOR}, hoverinfo="skip")  # fmt: skip


def _alert_labels(
    hot: list[tuple[int, str]], state: GovState, limit: int
) -> tuple[go.Scattermap, go.Scattermap]:
    """An amber ring with the open count inside on the first `limit` alert grids.

    Urban grids are a few pixels wide at city scale, so the ring marks where they are. MapLibre
    drops a text that collides with another and the county names are placed first (the layer
    above), so a number next to a county name may be left out; the ring and frame always show.
    """
    cells = {c.code: c for c in state.cells}
    shown = hot[:limit]
    lon, lat = wgs84_to_gcj02_array(
        [cells[c].lon for _, c in shown], [cells[c].lat for _, c in shown]
    )
    lon_l, lat_l = [round(float(v), 5) for v in lon], [round(float(v), 5) for v in lat]
    ring = go.Scattermap(lon=lon_l, lat=lat_l, mode="markers", marker={"size": 32, "color": ALERT_COLOR}, hoverinfo="skip")  # fmt: skip
    label = go.Scattermap(
        lon=lon_l,
        lat=lat_l,
        mode="markers+text",
        marker={"size": 25, "color": "#061427"},
        text=[str(n) for n, _ in shown],
        textfont={"size": 18, "color": "#ffffff"},
        textposition="middle center",
        hoverinfo="skip",
    )
    return ring, label


def county_label_points(
    ctx: RenderContext, avoid: Sequence[tuple[float, float]], zoom: float
) -> dict[str, tuple[float, float]]:
    """County label points, each moved below an alert ring it would cover.

    MapLibre drops one of two colliding labels; moving the county name ~30 px south of a ring
    keeps both the name and the ring's number (the map's zoom is fixed on the wall).
    """
    deg = 360 / (512 * 2**zoom)  # degrees of longitude per pixel
    out = {}
    for code, (x, y) in ctx.geo.label_points.items():
        per_lat = deg * math.cos(math.radians(y))
        near = [
            (ax, ay) for ax, ay in avoid if abs(ax - x) < 48 * deg and abs(ay - y) < 30 * per_lat
        ]
        out[code] = (x, round(min(ay for _, ay in near) - 30 * per_lat, 5)) if near else (x, y)
    return out


def _legend(edges: Sequence[int], alert: int, generated: bool, n_cells: int) -> list[dict]:
    chips = "<br>".join(
        f"<span style='color:{c}'>■</span> {t}"
        for c, t in zip(band_colors(edges), band_labels(edges), strict=True)
    )
    box = {"xref": "paper", "yref": "paper", "showarrow": False, "align": "left", "font": {"size": 17, "color": TEXT}, "bgcolor": "rgba(7,24,43,0.82)"}  # fmt: skip
    kind = "生成网格（非官方划分）" if generated else "单元网格"
    return [
        {**box, "text": f"每格办理中事件<br>{chips}", "x": 0.01, "y": 0.01, "xanchor": "left", "yanchor": "bottom"},
        {**box, "text": f"{kind} {n_cells} 个<br><span style='color:#ffb443'>橙框/橙圈</span>+数字：办理中≥{alert}件<br>白框：选中网格 · ● 网格员 在线/离线", "x": 0.99, "y": 0.01, "xanchor": "right", "yanchor": "bottom"},
    ]  # fmt: skip


def map_figure(state: GovState, ctx: RenderContext, edges: Sequence[int], alert: int, labels: int) -> dict[str, Any]:  # fmt: skip
    """County outlines over the grids coloured by open-event band; alert counts written on top."""
    if not state.cells:
        return empty_figure("暂无网格数据")
    codes = [c.code for c in state.cells]
    shapes = {c.code: to_gcj_geometry(c.geometry) for c in state.cells}
    features = [
        {"type": "Feature", "id": c, "properties": {}, "geometry": shapes[c]} for c in codes
    ]
    k = len(edges)
    colors = band_colors(edges)
    z = [band_of(state.per_grid[c].open, edges) if c in state.per_grid else 0 for c in codes]
    if not state.has_stats:
        z = [None] * len(codes)  # no event data: outlines only, never a false "无"
    fill = go.Choroplethmap(
        locations=codes,
        z=z,
        zmin=-0.5,
        zmax=k + 1.5,
        colorscale=discrete_scale([(i + 0.5, col) for i, col in enumerate(colors)], -0.5, k + 1.5),
        marker={"line": {"width": 0.8, "color": "rgba(6,20,39,0.9)"}, "opacity": 0.82},
        showscale=False,
        hoverinfo="none",  # no tooltip on the wall, but a click still reports the grid
    )
    hot = hot_grids(state, alert) if state.has_stats else []
    names = [n for n in ctx.geo.names if n in ctx.geo.label_points]
    center, zoom = fit_view(ctx.geo.bounds or (115.2, 35.7, 116.6, 37.1), MAP_SIZE, pad=0.03)
    rings, labels_ = _alert_labels(hot, state, labels)
    points = county_label_points(ctx, list(zip(labels_.lon, labels_.lat, strict=True)), zoom)
    county_names = go.Scattermap(lon=[points[c][0] for c in names], lat=[points[c][1] for c in names], mode="text", text=[ctx.geo.names[c] for c in names], textfont={"size": 18, "color": "#ffffff"}, hoverinfo="skip")  # fmt: skip
    traces = [
        fill,
        _county_lines(ctx),
        _alert_outlines(hot, shapes),
        *_empty_layers(),
        rings,
        labels_,
        county_names,
    ]
    annotations = _legend(edges, alert, state.generated, len(codes))
    if not state.has_stats:
        annotations.append({"text": "暂无事件数据", "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False, "font": {"size": 26, "color": TEXT}, "bgcolor": "rgba(7,24,43,0.82)"})  # fmt: skip
    layout = base_layout(
        map={
            "style": dict(ctx.map_style),
            "center": center,
            "zoom": zoom,
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        hovermode="closest",
        clickmode="event",
        annotations=annotations,
    )
    out = figure(traces, **layout)
    # The geometry is plain JSON already: set it after plotly's validation and deep copies,
    # which would otherwise take most of the render time.
    out["data"][GRID_FILL]["geojson"] = {"type": "FeatureCollection", "features": features}
    return out


def member_points(members: Sequence[Any]) -> list[list[Any]]:
    """[lon, lat, colour, status] per member in GCJ-02, for the browser's member layer."""
    if not members:
        return []
    lon, lat = wgs84_to_gcj02_array([m.lon for m in members], [m.lat for m in members])
    return [
        [round(float(x), 5), round(float(y), 5), ONLINE_COLOR if m.online else OFFLINE_COLOR, "在线" if m.online else "离线"]
        for x, y, m in zip(lon, lat, members, strict=True)
    ]  # fmt: skip
