"""Pure skeleton of the 应急管理 scene "风险防控一张图": layer toggles over a central map,
event statistics, warnings, sensors and resources on the left, the selected event on the right."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from scenes.base import RenderContext, SceneIds
from scenes.emergency.mapfig import LAYER_LABELS
from scenes.emergency.options import Options
from scenes.widgets import graph, panel, placeholder, scene_frame

# Grid templates only (allowed inline by the brief); looks live in assets/theme.css.
# Three columns, each its own grid, so the left list panels and the right event panels can
# size their rows independently.
GRID = {
    "display": "grid",
    "height": "100%",
    "gap": "var(--gap)",
    "gridTemplateColumns": "440px minmax(0, 1fr) 460px",
}
COLUMNS = {
    "left": "minmax(0, 1.18fr) minmax(0, 0.84fr) minmax(0, 1.1fr) minmax(0, 0.88fr)",
    "centre": "150px minmax(0, 1fr)",
    "right": "minmax(0, 1.5fr) minmax(0, 1fr)",
}


def column(name: str, children: list[Any]) -> html.Div:
    """One column of panels stacked on its own grid rows."""
    style = {
        "display": "grid",
        "gap": "var(--gap)",
        "minHeight": 0,
        "minWidth": 0,
        "gridTemplateRows": COLUMNS[name],
    }
    return html.Div(children, className=f"emg-col emg-col-{name}", style=style)


def layer_toggles(ids: SceneIds) -> dcc.Checklist:
    """Which map layers show; a clientside callback sets each trace's `visible`."""
    return dcc.Checklist(
        id=ids.part("layers"),
        options=[{"label": label, "value": key} for key, label in LAYER_LABELS.items()],
        value=list(LAYER_LABELS),
        className="segmented emg-layers",
        inline=True,
    )


def _stack(top: Any, graph_: Any) -> html.Div:
    return html.Div([top, html.Div(graph_, className="map-wrap")], className="map-stack")


def layout(ids: SceneIds, options: Options, ctx: RenderContext) -> html.Div:
    """Build the scene's panels; the live callback fills every graph and placeholder."""
    picker = dcc.RadioItems(
        id=ids.part("event"), options=[], value=None, className="segmented emg-picker"
    )
    picker_wrap = html.Div(picker, id=ids.part("event_picker"), className="emg-pick-wrap")
    left = [
        panel("处置中事件统计", placeholder(ids, "stats"), unit="类型×等级 · 起"),
        panel("生效预警信号", placeholder(ids, "warnings"), unit="气象 · 至失效时间"),
        panel("物联感知", placeholder(ids, "sensors"), unit="最新读数 · 超限优先"),
        panel("资源保障", placeholder(ids, "resources"), unit="全市 · 当前"),
    ]
    centre = [
        panel("应急态势", placeholder(ids, "kpis"), unit="实时", extra_class="emg-kpi-panel"),
        panel(
            f"{ctx.city_name}风险防控一张图",
            _stack(layer_toggles(ids), graph(ids, "map", map_=True)),
            unit="WGS-84 接入 · GCJ-02 显示",
        ),
    ]
    right = [
        panel("选中事件", _stack(picker_wrap, graph(ids, "event_timeline")), unit="处置时间线"),
        panel(
            "就近资源",
            graph(ids, "event_nearby"),
            unit=f"UTM 50N 直线距离 · 避难场所 {options.shelter_radius_km:g} km 内",
        ),
    ]
    body = html.Div(
        className="emg-grid",
        style=GRID,
        children=[
            column("left", left),
            column("centre", centre),
            column("right", right),
            dcc.Store(id=ids.part("layers_applied"), data=None),
        ],
    )
    return scene_frame(ids, body, poll_s=ctx.poll_s)
