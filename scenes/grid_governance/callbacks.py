"""Callbacks of the 网格化治理 scene: the shared live callback, the grid click and its highlight.

The click (or, with no click yet, the grid with the most open events) is rendered on the server
from the stats and detail snapshots the hub stored: no SQL per click. It re-renders on every new
view token so the panel stays live. The highlight of the selected grid runs in the browser: it
copies that grid's outline from the figure's own GeoJSON into the empty OUTLINE trace and puts
its members on the MEMBERS trace through `dash_clientside.set_props`, so the map keeps one
writer (the live callback's Output); it re-runs on every token, because a full (non-Patch) map
resend clears those traces.
"""

from __future__ import annotations

import json
from typing import Any

from dash import Input, Output, State

from scenes.base import SceneIds
from scenes.grid_governance.detail import clicked_code, grid_detail
from scenes.grid_governance.maps import MEMBERS, N_TRACES, OUTLINE
from scenes.grid_governance.options import Options
from scenes.grid_governance.transform import DETAIL, SCENE_ID, STATS

HIGHLIGHT_JS = """
function (sel, _token, fig) {
  const MAP = %s, OUTLINE = %d, MEMBERS = %d, N = %d, FILL = 0;
  const dc = window.dash_clientside;
  if (!fig || !fig.data || fig.data.length !== N) { return dc.no_update; }
  const lon = [], lat = [];
  const feats = ((fig.data[FILL].geojson || {}).features) || [];
  const f = sel ? feats.find((x) => x.id === sel.code) : null;
  if (f) {
    const g = f.geometry;
    for (const poly of (g.type === 'MultiPolygon' ? g.coordinates : [g.coordinates])) {
      for (const p of poly[0]) { lon.push(p[0]); lat.push(p[1]); }
      lon.push(null); lat.push(null);
    }
  }
  const m = (sel && sel.members) || [];
  const want = {lon: m.map((r) => r[0]), lat: m.map((r) => r[1]), color: m.map((r) => r[2])};
  const cur = fig.data[MEMBERS];
  const same = JSON.stringify([fig.data[OUTLINE].lon || [], cur.lon || [], (cur.marker || {}).color || []])
    === JSON.stringify([lon, want.lon, want.color]);
  if (!same) {
    // A new figure object built from the current one (a set_props Patch would be applied to
    // the layout's initial figure, not to the live one).
    const data = fig.data.slice();
    data[OUTLINE] = Object.assign({}, data[OUTLINE], {lon: lon, lat: lat});
    data[MEMBERS] = Object.assign({}, cur, {lon: want.lon, lat: want.lat,
      marker: Object.assign({}, cur.marker || {}, {color: want.color})});
    dc.set_props(MAP, {figure: Object.assign({}, fig, {data: data})});
  }
  return sel ? sel.code : null;
}
"""


def highlight_js(ids: SceneIds) -> str:
    """The clientside highlight function with this scene's map id and trace indices baked in."""
    return HIGHLIGHT_JS % (json.dumps(ids.part("map")), OUTLINE, MEMBERS, N_TRACES)


def read_detail(runtime: Any, click: Any, options: Options) -> tuple[Any, Any]:
    """Read the two snapshots (one round trip) and render the clicked or default grid."""
    stats, detail = runtime.read_many([f"snap:{STATS}", f"snap:{DETAIL}"])
    late = [s.get("label", "") for s in (stats, detail) if s and not s.get("ok", True)]
    stale = f"数据延迟（{'、'.join(late)}），显示最后一次数据" if late else ""
    return grid_detail(
        clicked_code(click),
        (stats or {}).get("data"),
        (detail or {}).get("data"),
        options,
        dict(runtime.geo.names),
        stale=stale,
    )


def register(app: Any, ids: SceneIds, runtime: Any) -> None:
    """Wire the live callback, the grid click and the clientside highlight."""
    from scenes.grid_governance import SCENE  # lazy: the package imports this module
    from wall.live import register_live

    register_live(app, SCENE, runtime)
    options = runtime.settings.scene_options.get(SCENE_ID) or Options()

    @app.callback(
        Output(ids.part("detail"), "children"),
        Output(ids.part("selected"), "data"),
        Input(ids.part("map"), "clickData"),
        Input(ids.token, "data"),
    )
    def _detail(click: Any, _token: Any) -> tuple[Any, Any]:
        return read_detail(runtime, click, options)

    app.clientside_callback(
        highlight_js(ids),
        Output(ids.part("highlight_applied"), "data"),
        Input(ids.part("selected"), "data"),
        Input(ids.token, "data"),
        State(ids.part("map"), "figure"),
        prevent_initial_call=True,
    )
