"""Callbacks of the 应急管理 scene: the shared live callback plus the map layer toggles.

The toggles run in the browser: they patch `visible` of the map's traces through
`dash_clientside.set_props`, so the map keeps one writer (the live callback's Output) and no
duplicate Output is declared. They re-run whenever the live callback stores a new token,
because a full (non-Patch) map resend would otherwise show every layer again.
"""

from __future__ import annotations

import json
from typing import Any

from dash import Input, Output, State

from scenes.base import SceneIds
from scenes.emergency.mapfig import LAYERS, N_TRACES

TOGGLE_JS = """
function (layers, _token, fig) {
  const LAYERS = %s, N = %d, MAP = %s;
  if (!fig || !fig.data || fig.data.length !== N) { return window.dash_clientside.no_update; }
  const on = new Set(layers || []);
  const want = fig.data.map((t) => t.visible !== false);
  for (const [key, traces] of Object.entries(LAYERS)) {
    for (const i of traces) { want[i] = on.has(key); }
  }
  if (want.some((v, i) => v !== (fig.data[i].visible !== false))) {
    // A new figure object built from the current one (a set_props Patch would be applied to
    // the layout's initial figure, not to the live one).
    const data = fig.data.map((t, i) => Object.assign({}, t, {visible: want[i]}));
    window.dash_clientside.set_props(MAP, {figure: Object.assign({}, fig, {data: data})});
  }
  return (layers || []).join(",");
}
"""


def toggle_js(ids: SceneIds) -> str:
    """The clientside toggle function with this scene's layer map and map id baked in."""
    return TOGGLE_JS % (json.dumps(LAYERS), N_TRACES, json.dumps(ids.part("map")))


def register(app: Any, ids: SceneIds, runtime: Any) -> None:
    """Wire the live callback and the clientside layer toggles."""
    from scenes.emergency import SCENE  # lazy: the package imports this module
    from wall.live import register_live

    register_live(app, SCENE, runtime)
    app.clientside_callback(
        toggle_js(ids),
        Output(ids.part("layers_applied"), "data"),
        Input(ids.part("layers"), "value"),
        Input(ids.token, "data"),
        State(ids.part("map"), "figure"),
        prevent_initial_call=True,
    )
