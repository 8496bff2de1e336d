"""Pure skeleton of the 交通运行 scene: KPI strip over the map, charts left, rankings right."""

from __future__ import annotations

from dash import dcc, html

from scenes.base import RenderContext, SceneIds
from scenes.traffic.options import Options
from scenes.widgets import graph, panel, placeholder, scene_frame

# Grid template only (the brief allows it inline so the scene works before the theme has it).
GRID = {
    "display": "grid",
    "height": "100%",
    "gap": "var(--gap)",
    "gridTemplateColumns": "470px minmax(0, 1fr) 450px",
    "gridTemplateRows": "170px repeat(3, minmax(0, 1fr))",
    "gridTemplateAreas": '"curve kpi rank" "curve map rank" "shares map incidents" "road map incidents"',
}


def layout(ids: SceneIds, options: Options, ctx: RenderContext) -> html.Div:
    """Build the scene's panels; the live callback fills every graph and placeholder."""
    scope = "建成区路网" if options.network == "urban" else "全路网"
    body = html.Div(
        className="traffic-grid",
        style=GRID,
        children=[
            panel(
                "路网运行实时指标",
                placeholder(ids, "kpis"),
                unit=f"GB/T 33171 · {scope}",
                area="kpi",
                extra_class="traffic-kpi-panel",
            ),
            panel(
                f"{ctx.city_name}实时路况",
                graph(ids, "map", map_=True),
                unit="路段 v/vf 分级 · 车辆 · 事件",
                area="map",
            ),
            panel(
                "交通运行指数 24小时",
                graph(ids, "curve"),
                unit="TPI · 5分钟 · 今日/上周",
                area="curve",
            ),
            panel("拥堵等级里程占比", graph(ids, "shares"), unit=f"{scope} · %", area="shares"),
            panel(
                "道路速度曲线",
                html.Div(
                    [
                        # The road picked on the map: the live callback shows that variant.
                        dcc.Input(id=ids.part("road_pick"), type="hidden", value=None),
                        graph(ids, "road_speed"),
                    ],
                    className="traffic-road-wrap",
                ),
                unit="今日 · km/h",
                area="road",
            ),
            panel(
                f"拥堵道路 前{options.ranking_size}",
                graph(ids, "ranking"),
                unit="TPI · 里程加权",
                area="rank",
            ),
            panel(
                "交通事件",
                placeholder(ids, "incidents"),
                unit="今日 · 处置中优先",
                area="incidents",
            ),
        ],
    )
    return scene_frame(ids, body, poll_s=ctx.poll_s)
