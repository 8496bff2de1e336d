"""Callbacks of the 城市管理 scene: the shared live callback plus the KPI drill-down.

Clicking a rate tile (pattern-matched id {"scene", "part": "rate", "key": "<rate>.<period>"})
opens the overlay with the cases behind that rate, rendered by `drill.resolve` / `drill_body`
from the drill product's snapshot: no SQL per click. The overlay refreshes when the scene's
view token moves (the rate panel carries the drill product's time, so at least once a minute)
and closes itself `drill_close_s` after it was opened, or on 关闭.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dash import ALL, Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from scenes.base import SceneIds
from scenes.city_management.drill import drill_body, parse_key, resolve, rule_text
from scenes.city_management.options import Options
from scenes.city_management.panels import TILE_PART
from scenes.city_management.transform import DRILL

CLOSE_PART = "drill_close"
CLOSED = "cm-drill"
OPEN = "cm-drill is-open"


def _fired(triggered: Sequence[Mapping[str, Any]]) -> list[tuple[Any, Any]]:
    """(component id, value) of every input that fired; pattern ids are parsed from JSON."""
    out = []
    for t in triggered:
        cid, _, _prop = str(t.get("prop_id", "")).rpartition(".")
        if cid.startswith("{"):
            try:
                cid = json.loads(cid)
            except ValueError:
                continue
        out.append((cid, t.get("value")))
    return out


def _part(cid: Any) -> str | None:
    return cid.get("part") if isinstance(cid, Mapping) else None


def drill_update(
    triggered: Sequence[Mapping[str, Any]],
    opened: Mapping[str, Any] | None,
    read: Callable[[str], Any],
    options: Options,
    names: Mapping[str, str],
    now_s: float,
) -> tuple[Any, str, Any]:
    """(overlay children, overlay class, store) for one event; PreventUpdate when nothing to do.

    Several inputs can fire together (the live callback re-renders the tiles and moves the
    token in one response), so each is checked by its own id and value: a tile counts only
    with clicks (a re-rendered tile comes back with 0), 关闭 only when pressed.
    """
    fired = _fired(triggered)
    if any(_part(cid) == CLOSE_PART and value for cid, value in fired):
        return [], CLOSED, None
    clicked = [
        cid["key"]
        for cid, value in fired
        if _part(cid) == TILE_PART and value and parse_key(cid.get("key"))
    ]
    if clicked:
        opened = {"key": clicked[0], "at": now_s}
    elif not opened or not any(_part(cid) == "token" for cid, _ in fired):
        raise PreventUpdate  # nothing clicked and nothing open to refresh
    elif now_s - float(opened.get("at", 0)) > options.drill_close_s:
        return [], CLOSED, None
    snap = read(f"snap:{DRILL}") or {}
    stale = bool(snap) and not snap.get("ok", True)
    stamp = (snap.get("failing_since") if stale else snap.get("as_of")) or ""
    drill = resolve(snap.get("data"), opened["key"], options, names)
    body = drill_body(
        drill,
        as_of=stamp[11:19],
        stale=stale,
        rule_note=rule_text(options),
        per_column=(options.drill_rows + 1) // 2,
    )
    return body, OPEN, dict(opened)


def register(app: Any, ids: SceneIds, runtime: Any) -> None:
    """Wire the live callback and the drill-down overlay."""
    from scenes.city_management import SCENE  # lazy: the package imports this module
    from wall.live import register_live

    register_live(app, SCENE, runtime)
    options = runtime.settings.scene_options.get(SCENE.id) or Options()
    names = dict(runtime.geo.names)

    @app.callback(
        Output(ids.part("drill_body"), "children"),
        Output(ids.part("drill"), "className"),
        Output(ids.part("drill_key"), "data"),
        Input({"scene": ids.scene, "part": TILE_PART, "key": ALL}, "n_clicks"),
        Input(ids.part(CLOSE_PART), "n_clicks"),
        Input(ids.token, "data"),
        State(ids.part("drill_key"), "data"),
        prevent_initial_call=True,
    )
    def _drill(_clicks: list, _close: int, _token: str, opened: Any) -> tuple[Any, str, Any]:
        return drill_update(ctx.triggered, opened, runtime.read, options, names, time.time())
