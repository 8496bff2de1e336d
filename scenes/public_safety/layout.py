"""Pure skeleton of the 公共安全 scene: eight panels on the `ps-grid` CSS grid areas."""

from __future__ import annotations

from dash import html

from scenes.base import RenderContext, SceneIds
from scenes.public_safety.options import Options
from scenes.widgets import graph, panel, placeholder, scene_frame

# Grid template only (allowed inline so the scene works before the theme has it): left the
# hourly, daily and category charts; centre the KPI strip over the density map (with the urban
# inset); right the key-area list over the camera rates.
GRID = {
    "display": "grid",
    "height": "100%",
    "gap": "var(--gap)",
    "gridTemplateColumns": "470px minmax(0, 1fr) 470px",
    "gridTemplateRows": "170px minmax(0, 1fr) minmax(0, 1fr) minmax(0, 1.3fr)",
    "gridTemplateAreas": '"hourly kpi areas" "hourly map areas" "daily map areas" "cat map cams"',
}


def layout(ids: SceneIds, options: Options, ctx: RenderContext) -> html.Div:
    """Build the scene's panels; the live callback fills every graph and placeholder."""
    body = html.Div(
        className="ps-grid",
        style=GRID,
        children=[
            panel(
                "公共安全实时指标",
                placeholder(ids, "kpis"),
                unit="今日 · 实时",
                area="kpi",
                extra_class="ps-kpis",
            ),  # fmt: skip
            panel(
                f"{ctx.city_name}警情密度与重点区域",
                html.Div(
                    [
                        graph(ids, "map", map_=True),
                        html.Div(graph(ids, "core_map", map_=True), className="ps-inset"),
                    ],
                    className="ps-map-wrap",
                ),
                unit=f"近24小时警情 · 重点区域负载（预警≥{options.warn_ratio:.0%} 超限≥{options.over_ratio:.0%}）",
                area="map",
            ),
            panel("今日与昨日分时警情", graph(ids, "hourly"), unit="起/小时", area="hourly"),
            panel("近7日警情", graph(ids, "daily"), unit="起/日 · 按类别", area="daily"),
            panel("今日警情类别", graph(ids, "categories"), unit="起", area="cat"),
            panel(
                "重点区域客流负载",
                placeholder(ids, "areas"),
                unit="实时人数/核定容量",
                area="areas",
            ),  # fmt: skip
            panel(
                "县区视频在线率",
                graph(ids, "cameras"),
                unit=f"在线路数/总路数 · 低于{options.camera_alert_below:g}%标橙",
                area="cams",
            ),
        ],
    )
    return scene_frame(ids, body, poll_s=ctx.poll_s)
