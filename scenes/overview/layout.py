"""Pure skeleton of the overview: KPIs on top, the county map centre, alerts and scene links."""

from __future__ import annotations

from dash import dcc, html

from scenes.base import RenderContext, SceneIds
from scenes.overview.options import Options
from scenes.widgets import graph, panel, placeholder, scene_frame


def indicator_picker(ids: SceneIds, options: Options, ctx: RenderContext) -> dcc.RadioItems:
    """Choose which county indicator colours the map; choices come from the scenes' declarations."""
    choices = [{"label": ind.label, "value": key} for key, ind in ctx.indicators.items()]
    keys = [c["value"] for c in choices]
    value = (
        options.default_indicator
        if options.default_indicator in keys
        else (keys[0] if keys else None)
    )
    return dcc.RadioItems(
        id=ids.part("indicator"), options=choices, value=value, className="segmented", inline=True
    )


def layout(ids: SceneIds, options: Options, ctx: RenderContext) -> html.Div:
    """Build the overview skeleton; the live callback fills it."""
    body = html.Div(
        className="overview-grid",
        children=[
            panel("城市运行核心指标", placeholder(ids, "kpis"), area="kpis"),
            panel(
                f"{ctx.city_name}各区县态势",
                html.Div(
                    [
                        indicator_picker(ids, options, ctx),
                        html.Div(graph(ids, "map", map_=True), className="map-wrap"),
                    ],
                    className="map-stack",
                ),
                area="map",
            ),
            panel("实时告警", placeholder(ids, "alerts"), area="alerts"),
            panel("专题场景", placeholder(ids, "cards"), area="cards"),
            panel("数据接入状态", placeholder(ids, "status"), area="status"),
        ],
    )
    return scene_frame(ids, body, poll_s=ctx.poll_s)
