"""Pure map figure of the 城市管理 scene: recent case density cells over the counties.

Cells come aggregated from SQL on WGS-84 degrees; their corners are converted to GCJ-02 here
so they sit on the GCJ-02 county boundaries (as the 公共安全 density map does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from indicators.coords import wgs84_to_gcj02_array
from scenes.base import RenderContext
from scenes.city_management.state import CaseState
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

MAP_SIZE = (952, 420)  # the map panel's drawing area on the 1920×1080 canvas
INSET = (330, 236)  # the central urban inset, top right of the map panel (assets css)
LEFT_STRIP = 190  # px kept free on the left for the county table
TABLE_X = (0.125, 0.19)  # right edges (paper x) of the table's 在办 and 超期 columns
# Sequential blue → amber, never red (red is for alarms on this wall).
COUNTY_FILL = [[0.0, "#0c2640"], [1.0, "#0c2640"]]
BOX = {
    "xref": "paper",
    "yref": "paper",
    "showarrow": False,
    "align": "left",
    "font": {"size": 16, "color": TEXT},
    "bgcolor": "rgba(7,24,43,0.82)",
}


def county_table(cases: CaseState, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Open and overdue cases per county as three aligned annotation columns at the left
    (SVG text in the page's bundled font; map labels keep to the county names)."""
    rows = sorted(
        ((name, *cases.counties.get(code, (0, 0))) for code, name in names.items()),
        key=lambda r: (-r[1], -r[2], r[0]),
    )
    columns = (
        ("县区", [r[0] for r in rows], 0.004, "left"),
        ("在办", [f"{r[1]:,}" for r in rows], TABLE_X[0], "right"),
        ("超期", [f"{r[2]:,}" for r in rows], TABLE_X[1], "right"),
    )
    font = {"size": 16, "color": TEXT}
    return [
        {**BOX, "bgcolor": "rgba(0,0,0,0)", "text": "<br>".join([head, *cells]), "x": x,
         "xanchor": anchor, "align": anchor, "y": 0.98, "yanchor": "top", "font": font}
        for head, cells, x, anchor in columns
    ]  # fmt: skip


def _counties(ctx: RenderContext) -> go.Choroplethmap:
    return county_choropleth(
        ctx.geo, dict.fromkeys(ctx.geo.names, 0.0), colorscale=COUNTY_FILL, zmin=0, zmax=1
    )


def _view(
    bounds: tuple[float, float, float, float], size: tuple[int, int], shift_px: float = 0.0
) -> dict[str, Any]:
    """Centre and zoom fitting `bounds` in `size` px, the centre moved `shift_px` east."""
    center, zoom = fit_view(bounds, size)
    center["lon"] = round(center["lon"] + shift_px * 360 / (512 * 2**zoom), 5)
    return {"center": center, "zoom": zoom}


def _legend(edges: tuple[int, ...], days: int) -> dict[str, Any]:
    """Bands two to a line, under the inset at the bottom right."""
    items = [
        f"<span style='color:{DENSITY_COLORS[i]}'>■</span> {t}"
        for i, t in enumerate(band_labels(edges, "件", "～"))
    ]
    lines = ["　".join(items[i : i + 2]) for i in range(0, len(items), 2)]
    text = "<br>".join([f"近{days}日上报 · 每格案件数", *lines, "全市每格约1公里"])
    return {**BOX, "text": text, "x": 0.99, "y": 0.02, "xanchor": "right", "yanchor": "bottom"}


def density_map(
    cases: CaseState | None, ctx: RenderContext, edges: tuple[int, ...]
) -> dict[str, Any]:
    """County outlines, the density cells and each county's open/overdue counts in words."""
    if cases is None:
        return empty_figure()
    geo = ctx.geo
    traces: list[Any] = [_counties(ctx)]
    cells = density_cells(cases.grid, cases.cell_deg, edges, opacity=0.85)
    if cells is not None:
        traces.append(cells)
    codes = [c for c in geo.names if c in geo.label_points]
    traces.append(
        go.Scattermap(
            lon=[geo.label_points[c][0] for c in codes],
            lat=[geo.label_points[c][1] for c in codes],
            mode="text",
            text=[geo.names[c] for c in codes],
            textfont={"size": 15, "color": "#ffffff"},
            hoverinfo="skip",
        )
    )
    annotations = [*county_table(cases, geo.names), _legend(edges, cases.density_days)]
    if not cases.grid:
        annotations.append(
            {**BOX, "text": f"近{cases.density_days}日暂无案件", "x": 0.3, "y": 0.5,
             "xanchor": "center", "font": {"size": 22, "color": TEXT}}
        )  # fmt: skip
    bounds = geo.bounds or (115.2, 35.7, 116.6, 37.1)
    # The county table takes a strip on the left, the inset and the legend one on the right.
    free = MAP_SIZE[0] - LEFT_STRIP - INSET[0] - 16
    view = _view(bounds, (free, MAP_SIZE[1]), MAP_SIZE[0] / 2 - (LEFT_STRIP + free / 2))
    return figure(
        traces,
        map={"style": dict(ctx.map_style), **view},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        annotations=annotations,
    )


def core_map(cases: CaseState | None, ctx: RenderContext, edges: tuple[int, ...]) -> dict[str, Any]:
    """The central urban area on a finer grid (same bands), titled with its cell size."""
    if cases is None or cases.core is None:
        return empty_figure("中心城区 暂无数据")
    traces: list[Any] = [_counties(ctx)]
    cells = density_cells(cases.core_grid, cases.core_cell_deg, edges, opacity=0.85)
    if cells is not None:
        traces.append(cells)
    x0, y0, x1, y1 = cases.core
    lon, lat = wgs84_to_gcj02_array(np.array([x0, x1]), np.array([y0, y1]))
    view = _view((float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1])), INSET)
    metres = round(cases.core_cell_deg * 100_000 / 50) * 50
    title = {**BOX, "text": f"中心城区 · 每格约{metres}米", "x": 0.02, "y": 0.98,
             "xanchor": "left", "yanchor": "top"}  # fmt: skip
    notes = [title]
    if not cases.core_grid:
        notes.append({**BOX, "text": "近期暂无案件", "x": 0.5, "y": 0.45, "xanchor": "center"})
    return figure(
        traces,
        map={"style": dict(ctx.map_style), **view},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        annotations=notes,
    )
