"""Shell callbacks: route the URL to a scene, and keep the alert ticker current."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State
from dash.exceptions import PreventUpdate

from wall.shell import sid, ticker_items, unknown_scene


def resolve_path(pathname: str | None, order: tuple[str, ...]) -> tuple[str, str]:
    """Map a URL path to (mode, scene id): `/`, `/wall/<id>` or kiosk `/scene/<id>`."""
    parts = [p for p in (pathname or "/").split("/") if p]
    if not parts:
        return "wall", order[0]
    if len(parts) == 2 and parts[0] in ("wall", "scene"):
        return parts[0], parts[1]
    return "wall", "/".join(parts)


def register_shell(app: Dash, runtime: Any) -> None:
    """Register the router and the ticker."""
    settings = runtime.settings
    order = settings.scene_order

    @app.callback(
        Output(sid("slot"), "children"),
        Output(sid("scene-name"), "children"),
        Output(sid("canvas"), "className"),
        Input(sid("url"), "pathname"),
    )
    def route(pathname: str | None) -> tuple[Any, str, str]:
        mode, scene_id = resolve_path(pathname, order)
        titles = {s: runtime.scenes[s].title for s in order}
        if scene_id not in runtime.scenes:
            return unknown_scene(scene_id, titles), "未知场景", f"canvas mode-{mode}"
        scene = runtime.scenes[scene_id]
        body = scene.layout(scene.ids, settings.scene_options[scene_id], runtime.context())
        return body, scene.title, f"canvas mode-{mode} scene-is-{scene_id}"

    @app.callback(
        Output(sid("ticker"), "children"),
        Output(sid("ticker-token"), "data"),
        Input(sid("ticker-tick"), "n_intervals"),
        State(sid("ticker-token"), "data"),
    )
    def ticker(_n: int | None, known: str) -> tuple[Any, str]:
        alerts = runtime.read("alerts")
        if not alerts or alerts["token"] == known:
            raise PreventUpdate
        titles = {s: runtime.scenes[s].title for s in order}
        return ticker_items(alerts["items"], titles), alerts["token"]
