"""The live callback every scene shares: read snapshots, send only what changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import Dash, Input, Output, Patch, State, ctx, no_update
from dash.exceptions import PreventUpdate

from scenes.base import Panel, Scene

STALE_CLASS = "scene-body is-stale"
DEFAULT_VARIANT = "_default"  # the variant shown when the picker has no value
FRESH_CLASS = "scene-body"


def stale_text(status: Mapping[str, Any]) -> str:
    """The badge text for a stale scene (empty when fresh)."""
    if not status.get("stale"):
        return ""
    labels = "、".join(status.get("labels") or ())
    return f"数据延迟 since {status.get('since', '')}（{labels}）"


def diff_panel(value: Any, new_fp: Mapping[str, str], old_fp: Mapping[str, str] | None) -> Any:
    """Return `no_update`, a `Patch` of the changed trace keys, or the whole value."""
    if old_fp is None:
        return value
    if new_fp == old_fp:
        return no_update
    if (
        "layout" not in new_fp
        or new_fp.get("layout") != old_fp.get("layout")
        or new_fp.get("ntraces") != old_fp.get("ntraces")
    ):
        return value
    patch = Patch()
    for key, h in new_fp.items():
        if old_fp.get(key) == h:
            continue
        if key.startswith("data."):
            _, index, field = key.split(".", 2)
            patch["data"][int(index)][field] = value["data"][int(index)][field]
        elif key.startswith("layout."):
            field = key.removeprefix("layout.")
            patch["layout"][field] = value["layout"][field]
    removed = [k for k in old_fp if k.startswith("data.") and k not in new_fp]
    return value if removed else patch


def build_update(
    read_many: Any,
    scene_id: str,
    panels: Sequence[Panel],
    known: str | None,
    variants: Mapping[str, Any],
    variant_changed: bool,
) -> list[Any]:
    """Compute the outputs for one poll: panels, token, stale text, body class."""
    (meta,) = read_many([f"meta:{scene_id}"])
    if not meta or (meta["token"] == known and not variant_changed):
        raise PreventUpdate
    status = meta.get("status", {})
    tail = [meta["token"], stale_text(status), STALE_CLASS if status.get("stale") else FRESH_CLASS]
    if known and known.split(":")[1:] == meta["token"].split(":")[1:]:
        tail[1:] = [no_update, no_update]  # same status part: the badge is already right
    known_version = (known or "").split(":")[0]
    if known_version == str(meta["version"]) and not variant_changed:
        return [no_update] * len(panels) + tail
    view, old = read_many([f"view:{scene_id}", f"fp:{scene_id}:{known_version}"])
    if view is None:
        raise PreventUpdate
    out = []
    for p in panels:
        value = view["panels"].get(p.name)
        new_fp = view["fingerprints"].get(p.name, {})
        old_fp = (old or {}).get(p.name)
        if p.variant_from is not None:
            if not variant_changed and old_fp is not None and new_fp == old_fp:
                # Maps are the heaviest panels: do not resend one because another panel moved.
                out.append(no_update)
                continue
            choice = variants.get(p.variant_from)
            value = (
                (value or {}).get(DEFAULT_VARIANT if choice is None else choice)
                if isinstance(value, dict)
                else None
            )
            out.append(value if value is not None else no_update)
            continue
        out.append(diff_panel(value, new_fp, old_fp))
    return out + tail


def register_live(app: Dash, scene: Scene, runtime: Any) -> None:
    """Register the scene's polling callback from its declared panels."""
    ids = scene.ids
    panels = scene.panels
    outputs = [
        Output(ids.part(p.name), "figure" if p.kind == "graph" else "children") for p in panels
    ]
    outputs += [
        Output(ids.token, "data"),
        Output(ids.part("stale"), "children"),
        Output(ids.part("body"), "className"),
    ]
    variant_parts = sorted({p.variant_from for p in panels if p.variant_from})
    inputs = [Input(ids.tick, "n_intervals")] + [Input(ids.part(v), "value") for v in variant_parts]

    @app.callback(outputs, inputs, State(ids.token, "data"))
    def _live(_n: int, *args: Any) -> list[Any]:
        *values, known = args
        variants = dict(zip(variant_parts, values, strict=True))
        changed = bool(variant_parts) and any(
            isinstance(t, dict) and t.get("part") in variant_parts for t in (ctx.triggered_id,)
        )
        return build_update(runtime.read_many, scene.id, panels, known, variants, changed)
