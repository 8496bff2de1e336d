"""Pure skeleton of the 网格化治理 scene: statistics left, KPIs over the grid heat map in the
centre, the clicked grid's detail and the categories on the right."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from scenes.base import RenderContext, SceneIds
from scenes.grid_governance.options import Options
from scenes.grid_governance.transform import first_county
from scenes.widgets import graph, panel, placeholder, scene_frame

# Grid templates only (allowed inline); looks live in assets/grid_governance.css.
GRID = {
    "display": "grid",
    "height": "100%",
    "gap": "var(--gap)",
    "gridTemplateColumns": "440px minmax(0, 1fr) 470px",
}
COLUMNS = {
    "left": "338px minmax(0, 1fr) 206px",
    "centre": "170px minmax(0, 1fr)",
    "right": "minmax(0, 1fr) 262px",
}
DETAIL_PROMPT = "点击地图上的网格，查看其事件与网格员"


def column(name: str, children: list[Any]) -> html.Div:
    """One column of panels stacked on its own grid rows."""
    style = {"display": "grid", "gap": "var(--gap)", "minHeight": 0, "minWidth": 0, "gridTemplateRows": COLUMNS[name]}  # fmt: skip
    return html.Div(children, className=f"gg-col gg-col-{name}", style=style)


def county_picker(ids: SceneIds, ctx: RenderContext) -> dcc.RadioItems:
    """Which county's townships the chart shows (the live callback sends that variant)."""
    names = dict(ctx.geo.names)
    return dcc.RadioItems(
        id=ids.part("county"),
        options=[{"label": names[c], "value": c} for c in sorted(names)],
        value=first_county(names),
        className="segmented gg-picker",
        inline=True,
        persistence=True,
        persistence_type="memory",
    )


def layout(ids: SceneIds, options: Options, ctx: RenderContext) -> html.Div:
    """Build the scene's panels; the live callback and the click callback fill them."""
    townships = html.Div(
        [county_picker(ids, ctx), html.Div(graph(ids, "townships"), className="map-wrap")],
        className="map-stack",
    )
    left = [
        panel("全市 · 县区统计", placeholder(ids, "counties"), unit="件 · 今日/当前"),
        panel("乡镇（街道）统计", townships, unit="办理中（超期）· 今日上报"),
        panel("近24小时上报与结案", graph(ids, "trend"), unit="件/小时"),
    ]
    centre = [
        panel(
            "网格治理实时指标", placeholder(ids, "kpis"), unit="今日 · 本月", extra_class="gg-kpis"
        ),
        panel(
            f"{ctx.city_name}网格事件热力图",
            graph(ids, "map", map_=True),
            unit="办理中事件/网格 · 生成网格（非官方）· 点击网格查看详情",
        ),
    ]
    detail = html.Div(
        html.Div(DETAIL_PROMPT, className="muted"), id=ids.part("detail"), className="html-panel"
    )
    right = [
        panel("网格详情", detail, unit=f"办理中事件 · 网格员（{options.member_timeout_min}分钟未上报计离线）", extra_class="gg-detail-panel"),
        panel("事件类别", graph(ids, "categories"), unit="办理中（超期）· 今日上报"),
    ]  # fmt: skip
    body = html.Div(
        className="gg-grid",
        style=GRID,
        children=[
            column("left", left),
            column("centre", centre),
            column("right", right),
            dcc.Store(id=ids.part("selected"), data=None),
            dcc.Store(id=ids.part("highlight_applied"), data=None),
        ],
    )
    return scene_frame(ids, body, poll_s=ctx.poll_s)
