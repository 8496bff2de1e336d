"""The page shell: a fixed 1920×1080 canvas with header, scene switcher, body and ticker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

SHELL = "shell"


def sid(part: str) -> dict[str, str]:
    """Scoped ids for the shell's own components."""
    return {"scene": SHELL, "part": part}


def nav(scene_titles: Mapping[str, str], order: Sequence[str]) -> html.Nav:
    """The scene switcher: one link per enabled scene."""
    return html.Nav(
        id=sid("nav"),
        className="scene-nav",
        children=[
            dcc.Link(scene_titles[s], href=f"/wall/{s}", className="nav-link", id=sid(f"nav-{s}"))
            for s in order
        ],
    )


def shell_layout(
    title: str,
    city: str,
    scene_titles: Mapping[str, str],
    order: Sequence[str],
    ticker_poll_s: float,
) -> html.Div:
    """Build the static shell; the router fills the scene slot."""
    return html.Div(
        id=sid("viewport"),
        className="viewport",
        children=[
            dcc.Location(id=sid("url"), refresh=False),
            html.Div(
                id=sid("canvas"),
                className="canvas",
                children=[
                    html.Header(
                        className="wall-header",
                        children=[
                            html.Div(
                                className="header-left",
                                children=[
                                    html.Div(id=sid("date"), className="clock-date"),
                                    html.Div(id=sid("clock"), className="clock-time"),
                                ],
                            ),
                            html.H1(
                                [
                                    html.Span(city, className="title-city"),
                                    html.Span(title, className="title-platform"),
                                ],
                                className="wall-title",
                            ),
                            html.Div(
                                className="header-right",
                                children=[html.Div(id=sid("scene-name"), className="scene-name")],
                            ),
                        ],
                    ),
                    nav(scene_titles, order),
                    html.Main(id=sid("slot"), className="scene-slot"),
                    html.Footer(
                        className="ticker",
                        children=[
                            html.Span("告警", className="ticker-label"),
                            html.Div(
                                id=sid("ticker"), className="ticker-track", children="告警加载中…"
                            ),
                            dcc.Interval(id=sid("ticker-tick"), interval=int(ticker_poll_s * 1000)),
                            dcc.Store(id=sid("ticker-token"), data=""),
                        ],
                    ),
                ],
            ),
        ],
    )


def unknown_scene(name: str, scene_titles: Mapping[str, str]) -> html.Div:
    """A clear, non-error page for a scene id nobody configured."""
    return html.Div(
        className="unknown-scene",
        children=[
            html.H2(f"未知场景：{name}"),
            html.P("可用场景："),
            html.Ul(
                [
                    html.Li(dcc.Link(f"{t}（{s}）", href=f"/wall/{s}"))
                    for s, t in scene_titles.items()
                ]
            ),
        ],
    )


def ticker_items(items: Sequence[Mapping[str, Any]], scene_titles: Mapping[str, str]) -> Any:
    """Render alerts as ticker entries, most severe first; text carries the level too."""
    if not items:
        return html.Span("暂无告警", className="ticker-item muted")
    names = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
    shown = items[:12]
    entries = [
        html.Span(
            [
                html.B(
                    f"【{names.get(a['level'], '提示')}·{scene_titles.get(a['scene'], a['scene'])}】"
                ),
                a["text"],
            ],
            className=f"ticker-item level-{a['level']}",
        )
        for a in shown
    ]
    if len(items) > len(shown):
        entries.append(
            html.Span(f"另有 {len(items) - len(shown)} 条告警", className="ticker-item muted")
        )
    # Two copies scroll by half their width, so the band is never empty while it loops.
    duration = f"{max(30, 9 * len(entries))}s"
    copies = [
        html.Div(entries, className="ticker-copy"),
        html.Div(entries, className="ticker-copy", **{"aria-hidden": "true"}),
    ]
    return html.Div(copies, className="ticker-run", style={"animationDuration": duration})
