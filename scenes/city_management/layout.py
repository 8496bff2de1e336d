"""Pure skeleton of the 城市管理 scene: parts and case classes left, the clickable rate matrix
over the density map in the centre, efficiency, overdue departments and the ranking right,
and the (hidden) drill-down overlay that lists the cases behind a clicked rate."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from scenes.base import RenderContext, SceneIds
from scenes.city_management.drill import rule_text
from scenes.city_management.options import Options
from scenes.widgets import graph, panel, placeholder, scene_frame

# Grid templates only (allowed inline by the brief); looks live in assets/city_management.css.
GRID = {
    "display": "grid",
    "height": "100%",
    "gap": "var(--gap)",
    "gridTemplateColumns": "440px minmax(0, 1fr) 440px",
}
COLUMNS = {
    "left": "318px minmax(0, 1fr) minmax(0, 0.9fr)",
    "centre": "392px minmax(0, 1fr)",
    "right": "166px minmax(0, 1fr) minmax(0, 1.35fr)",
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
    return html.Div(children, className=f"cm-col cm-col-{name}", style=style)


def drill_overlay(ids: SceneIds) -> html.Div:
    """The case list behind a clicked rate; hidden until a tile is clicked (see callbacks)."""
    return html.Div(
        id=ids.part("drill"),
        className="cm-drill",
        children=[
            html.Button("× 关闭", id=ids.part("drill_close"), n_clicks=0, className="cm-d-close"),
            html.Div(id=ids.part("drill_body"), className="cm-d-body"),
            dcc.Store(id=ids.part("drill_key"), data=None),
        ],
    )


def layout(ids: SceneIds, options: Options, ctx: RenderContext) -> html.Div:
    """Build the scene's panels; the live callback fills every graph and placeholder."""
    left = [
        panel("部件普查", placeholder(ids, "parts"), unit="按大类 · 件"),
        panel("本月案件类别", placeholder(ids, "categories"), unit="上报 · 在办"),
        panel("在办案件流转", placeholder(ids, "stages"), unit="按待办环节 · 件"),
    ]
    centre = [
        panel(
            "城管考核指标",
            html.Div(
                [
                    placeholder(ids, "rates"),
                    html.Div(
                        [
                            f"点击数值查看案件清单 · {rule_text(options)} · ",
                            html.Span("加载中…", id=ids.part("asof")),
                        ],
                        className="panel-note cm-rate-foot",
                    ),
                ],
                className="cm-rates-wrap",
            ),
            unit="今日 · 本周 · 本月",
            extra_class="cm-rates-panel",
        ),
        panel(
            f"{ctx.city_name}城管案件密度",
            html.Div(
                [
                    graph(ids, "map", map_=True),
                    html.Div(graph(ids, "core_map", map_=True), className="cm-inset"),
                ],
                className="cm-map-wrap",
            ),
            unit="近7日上报 · 在办/超期 · GCJ-02 显示",
        ),
    ]
    right = [
        panel("处置效能", placeholder(ids, "efficiency"), unit="实时", extra_class="cm-eff-panel"),
        panel("超期案件", placeholder(ids, "overdue"), unit="按责任部门 · 在办"),
        panel("部门考核排名", placeholder(ids, "ranking"), unit="本月 · 按期结案率"),
    ]
    body = html.Div(
        className="cm-wrap",
        children=[
            html.Div(
                className="cm-grid",
                style=GRID,
                children=[column("left", left), column("centre", centre), column("right", right)],
            ),
            drill_overlay(ids),
        ],
    )
    return scene_frame(ids, body, poll_s=ctx.poll_s)
