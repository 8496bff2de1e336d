"""Pure skeleton of the 生态环境 scene: seven panels on the `env-grid` CSS grid areas."""

from __future__ import annotations

from dash import html

from scenes.base import RenderContext, SceneIds
from scenes.environment.options import Options
from scenes.widgets import graph, panel, placeholder, scene_frame

# Grid template only (the brief allows it inline so the scene works before the theme has it):
# left trend / county ranking / exceedances, centre KPI strip over the map, right station
# ranking over the water sections. Everything else is styled by classes in assets/.
GRID = {
    "display": "grid",
    "height": "100%",
    "gap": "var(--gap)",
    "gridTemplateColumns": "470px minmax(0, 1fr) 450px",
    "gridTemplateRows": "190px repeat(3, minmax(0, 1fr))",
    "gridTemplateAreas": '"trend kpi srank" "trend map srank" "crank map water" "exceed map water"',
}


def layout(ids: SceneIds, options: Options, ctx: RenderContext) -> html.Div:
    """Build the scene's panels; the live callback fills every graph and placeholder."""
    grade = "一级" if options.gb3095_grade == 1 else "二级"
    standard = options.aqi_standard.replace("HJ633", "HJ 633")
    body = html.Div(
        className="env-grid",
        style=GRID,
        children=[
            panel(
                "空气质量实时指标",
                placeholder(ids, "kpis"),
                unit=standard,
                area="kpi",
                extra_class="env-kpis",
            ),
            panel(
                f"{ctx.city_name}空气质量分布",
                graph(ids, "map", map_=True),
                unit="县区/站点 小时AQI",
                area="map",
            ),
            panel(
                f"近{options.trend_hours}小时城市空气质量",
                graph(ids, "trend"),
                unit="AQI · µg/m³",
                area="trend",
            ),
            panel("县区排名", placeholder(ids, "county_rank"), unit="小时AQI 优→差", area="crank"),
            panel(
                "今日超标（GB 3095-2026）",
                placeholder(ids, "exceedances"),
                unit=f"{grade} · 浓度/限值",
                area="exceed",
            ),
            panel(
                f"站点排名 前{options.ranking_size}",
                graph(ids, "station_rank"),
                unit="小时AQI 优→差",
                area="srank",
            ),
            panel(
                "地表水断面水质", placeholder(ids, "water"), unit="GB 3838 · 最新一次", area="water"
            ),
        ],
    )
    return scene_frame(ids, body, poll_s=ctx.poll_s)
