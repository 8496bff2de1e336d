"""Baseline for bench/viewers.py: the real app, but every poll queries the DB and rebuilds all.

It is `create_app(start=False)` (same shell, layouts, queries and transforms, no hub, no
snapshot store) with each scene's live callback swapped for one that, per viewer and per tick,
runs the scene's queries, renders every panel and returns all of them in full. Serve it with
`gunicorn -c gunicorn.conf.py bench.naive_app:server`.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from dash import Dash, State

from app import create_app, runtime_of
from bench.load import parse_id, stringify_id
from scenes.base import Scene
from wall.live import DEFAULT_VARIANT, FRESH_CLASS
from wall.runtime import Runtime


def fetch_products(runtime: Runtime, scene: Scene) -> dict[str, Any]:
    """Run every query of a scene now, normalised to JSON types exactly as the hub does."""
    return {
        need.product: orjson.loads(
            orjson.dumps(need.fetch(runtime.sources[need.source]), option=orjson.OPT_NON_STR_KEYS)
        )
        for need in scene.needs
    }


def build_naive_update(runtime: Runtime, scene_id: str, variants: dict[str, Any]) -> list[Any]:
    """Query, summarise peers if needed, render the whole view and return every output in full."""
    scene = runtime.scenes[scene_id]
    options = runtime.settings.scene_options
    summaries = {}
    if scene.uses_summaries:
        peer_ctx = runtime.context()
        summaries = {
            sid: peer.summarize(fetch_products(runtime, peer), options[sid], peer_ctx)
            for sid, peer in runtime.scenes.items()
            if sid != scene_id
        }
    ctx = runtime.context(summaries)
    view = scene.build_view(fetch_products(runtime, scene), options[scene_id], ctx)
    out = []
    for panel in scene.panels:
        value = view.get(panel.name)
        if panel.variant_from is not None and isinstance(value, dict):
            choice = variants.get(panel.variant_from)
            value = value.get(DEFAULT_VARIANT if choice is None else choice)
        out.append(value)
    return [*out, f"{int(time.time() * 1000)}:naive", "", FRESH_CLASS]


def _live_key(app: Dash, scene_id: str) -> str:
    tick = stringify_id({"scene": scene_id, "part": "tick"})
    for key, cb in app.callback_map.items():
        if any(i.get("id") == tick and i.get("property") == "n_intervals" for i in cb["inputs"]):
            return key
    raise LookupError(f"no live callback for scene {scene_id!r} (no input on its tick interval)")


def swap_live_callback(app: Dash, runtime: Runtime, scene_id: str) -> None:
    """Replace one scene's live callback with the naive one, keeping its exact signature."""
    key = _live_key(app, scene_id)
    spec = app.callback_map[key]
    inputs = list(spec["raw_inputs"])
    states = [State(parse_id(s["id"]), s["property"]) for s in spec["state"]]
    variant_parts = [i.component_id["part"] for i in inputs[1:]]
    # Register on a scratch app so Dash wraps the function for these outputs, then graft it.
    scratch = Dash(__name__)

    @scratch.callback(spec["output"], inputs, states)
    def naive(_n: int, *args: Any) -> list[Any]:
        variants = dict(zip(variant_parts, args[: len(variant_parts)], strict=True))
        return build_naive_update(runtime, scene_id, variants)

    app.callback_map[key]["callback"] = scratch.callback_map[key]["callback"]


def create_naive_app() -> Dash:
    """Build the baseline app: the real app with no hub and naive live callbacks."""
    app = create_app(start=False)
    runtime = runtime_of(app)
    for scene_id in runtime.scenes:
        swap_live_callback(app, runtime, scene_id)
    return app


def __getattr__(name: str) -> Any:
    """Build `server` on first access, so each gunicorn worker builds its own app."""
    if name == "server":
        return create_naive_app().server
    raise AttributeError(name)
