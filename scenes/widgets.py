"""Pure layout building blocks shared by scenes: frame, panels, graphs and KPI tiles."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from scenes.base import SceneIds

GRAPH_CONFIG = {
    "displayModeBar": False,
    "displaylogo": False,
    "responsive": True,
    "scrollZoom": False,
}
LOADING_FIGURE = {
    "data": [],
    "layout": {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "annotations": [
            {
                "text": "加载中…",
                "showarrow": False,
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
                "font": {"size": 22, "color": "#8fa9c4"},
            }
        ],
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
    },
}


def scene_frame(ids: SceneIds, body: Any, *, poll_s: float, extra: Any = None) -> html.Div:
    """Wrap a scene: its poll interval, token store, stale badge and body."""
    return html.Div(
        id=ids.part("root"),
        className=f"scene scene-{ids.scene}",
        children=[
            dcc.Interval(id=ids.tick, interval=int(poll_s * 1000), n_intervals=0),
            dcc.Store(id=ids.token, data=""),
            html.Div(id=ids.part("stale"), className="stale-badge", role="status"),
            html.Div(id=ids.part("body"), className="scene-body is-loading", children=body),
            *([extra] if extra is not None else []),
        ],
    )


def graph(ids: SceneIds, name: str, *, map_: bool = False) -> dcc.Graph:
    """A graph placeholder that the live callback fills; maps get a map class for tests and CSS."""
    return dcc.Graph(
        id=ids.part(name),
        figure=LOADING_FIGURE,
        config=GRAPH_CONFIG,
        className="panel-graph map-graph" if map_ else "panel-graph",
        style={"height": "100%", "width": "100%"},
    )


def panel(
    title: str, body: Any, *, unit: str = "", area: str = "", extra_class: str = ""
) -> html.Section:
    """A titled wall panel; `area` places it in the scene's CSS grid."""
    head = [html.H2(title, className="panel-title")]
    if unit:
        head.append(html.Span(unit, className="panel-unit"))
    return html.Section(
        className=f"panel {extra_class}".strip(),
        style={"gridArea": area} if area else None,
        children=[
            html.Header(head, className="panel-head"),
            html.Div(body, className="panel-body"),
        ],
    )


def placeholder(ids: SceneIds, name: str, text: str = "加载中…") -> html.Div:
    """An HTML panel body the live callback fills."""
    return html.Div(
        id=ids.part(name), className="html-panel", children=html.Div(text, className="muted")
    )
