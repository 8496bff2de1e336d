"""The snapshot hub: one fetch per data product per tick, for every viewer at once.

It follows Home Assistant's update coordinator: a failing source keeps its last good data,
is logged once when it fails and once when it recovers, and is shown as stale, never blank.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel

from data_sources.datasets.base import LOCAL_TZ
from data_sources.errors import SourceError
from scenes.base import DataNeed, RenderContext, Scene, SceneSummary

log = logging.getLogger(__name__)
FP_HISTORY_TTL_S = 600.0
RENDER_FAILED = "render-failed"  # a scene's token after its transform raised


def digest(value: Any) -> str:
    """Return a short stable hash of a JSON-able value."""
    raw = orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.blake2b(raw, digest_size=8).hexdigest()


def fingerprint(value: Any) -> dict[str, str]:
    """Hash a figure per trace key and per top-level layout key, so browsers get only changes."""
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        layout = value.get("layout", {})
        fp = {"layout": digest(sorted(layout)), "ntraces": str(len(value["data"]))}
        for key, part in layout.items():
            fp[f"layout.{key}"] = digest(part)
        for i, trace in enumerate(value["data"]):
            for key, part in trace.items():
                fp[f"data.{i}.{key}"] = digest(part)
        return fp
    return {"": digest(value)}


def now_local() -> datetime:
    """Return the wall's local time as a naive datetime (how the store keeps times)."""
    return datetime.now(LOCAL_TZ).replace(tzinfo=None)


@dataclass
class ProductState:
    """The hub's own memory of one product between ticks."""

    need: DataNeed
    snapshot: dict[str, Any] | None = None
    last_try: float = 0.0
    dirty: bool = True
    failing_since: str | None = None


@dataclass
class SceneState:
    """The hub's memory of one scene's last render."""

    scene: Scene
    options: BaseModel
    token: str = ""
    summary: SceneSummary = field(default_factory=SceneSummary)


class Hub:
    """Collects products, renders each scene's view once, and writes both to the store."""

    def __init__(
        self,
        scenes: Mapping[str, tuple[Scene, BaseModel]],
        sources: Mapping[str, Any],
        store: Any,
        context: Callable[..., RenderContext],
        *,
        owner: str = "hub",
        tick_s: float = 1.0,
    ) -> None:
        self.sources = sources
        self.store = store
        self.context = context
        self.owner = owner
        self.tick_s = tick_s
        self.products: dict[str, ProductState] = {}
        self.scenes = {sid: SceneState(s, o) for sid, (s, o) in scenes.items()}
        for scene, _ in scenes.values():
            for need in scene.needs:
                self.products.setdefault(need.product, ProductState(need))
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.feeds: list[Callable[[], None]] = []
        self._feeds_failing: set[str] = set()

    # bus ------------------------------------------------------------------
    def on_ingest(self, channel: str, _message: Mapping[str, Any]) -> None:
        """Mark the products fed by this dataset as due now (early refresh on news)."""
        dataset = channel.removeprefix("ingest.")
        for state in self.products.values():
            if dataset in state.need.datasets:
                state.dirty = True
        self._wake.set()

    # collection -----------------------------------------------------------
    def _fetch(self, name: str, state: ProductState, now: float) -> bool:
        need = state.need
        state.last_try, state.dirty = now, False
        stamp = now_local().isoformat(timespec="seconds")
        old = state.snapshot
        try:
            data = orjson.loads(
                orjson.dumps(need.fetch(self.sources[need.source]), option=orjson.OPT_NON_STR_KEYS)
            )
        except SourceError as exc:
            if state.failing_since is None:
                state.failing_since = stamp
                log.warning("product %s failed (%s); keeping last good data", name, exc)
            snap = dict(old or {"version": 0, "data": None, "as_of": None})
            snap.update(
                ok=False, error=str(exc), failing_since=state.failing_since, label=need.label
            )
            state.snapshot = snap
            return old is None or old.get("ok", True)
        if state.failing_since is not None:
            log.warning("product %s recovered (failing since %s)", name, state.failing_since)
            state.failing_since = None
        changed = old is None or not old.get("ok") or old.get("hash") != digest(data)
        state.snapshot = {
            "version": int(time.time() * 1000) if changed else old["version"],
            "hash": digest(data),
            "as_of": stamp,
            "ok": True,
            "data": data,
            "label": need.label,
        }
        return changed

    def collect_once(self, force: bool = False) -> set[str]:
        """Fetch due products, re-render the scenes they feed; return the changed products."""
        now = time.monotonic()
        changed = {
            name
            for name, st in self.products.items()
            if (force or st.dirty or now - st.last_try >= st.need.refresh_s)
            and self._fetch(name, st, now)
        }
        if changed:
            self.store.set_many({f"snap:{n}": self.products[n].snapshot for n in changed})
        self._render(changed, force)
        return changed

    def _status(self, scene: Scene) -> dict[str, Any]:
        bad = [self.products[n.product].snapshot or {} for n in scene.needs]
        bad = [s for s in bad if not s.get("ok", False)]
        if not bad:
            return {"stale": False}
        since = min((s.get("failing_since") or "") for s in bad)
        return {
            "stale": True,
            "since": since[11:19],
            "labels": sorted({s.get("label", "") for s in bad}),
        }

    def product_status(self) -> dict[str, dict[str, Any]]:
        """Each product's label, health and times, for scenes that show data-source status."""
        keys = ("label", "ok", "as_of", "failing_since")
        return {
            name: {k: (st.snapshot or {}).get(k) for k in keys} | {"label": st.need.label}
            for name, st in self.products.items()
        }

    def _ctx(self) -> RenderContext:
        return self.context(
            summaries={sid: st.summary for sid, st in self.scenes.items()},
            products=self.product_status(),
        )

    def _render(self, changed: set[str], force: bool) -> None:
        ctx = self._ctx()
        summary_moved = False
        order = sorted(self.scenes.values(), key=lambda st: st.scene.uses_summaries)
        for st in order:
            scene = st.scene
            touched = force or any(n.product in changed for n in scene.needs)
            if scene.uses_summaries and (summary_moved or changed):
                # Summaries or product health moved: re-render with a fresh context.
                touched = True
                ctx = self._ctx()
            if not touched and st.token:
                continue
            if self._render_scene(st, ctx):
                summary_moved = True
        if summary_moved or force:
            self._publish_alerts()

    def _publish_alerts(self) -> None:
        alerts = [a.__dict__ for st in self.scenes.values() for a in st.summary.alerts]
        alerts.sort(key=lambda a: (a["level"], a["scene"], a["text"]))
        self.store.set("alerts", {"token": digest(alerts), "items": alerts})

    def _render_scene(self, st: SceneState, ctx: RenderContext) -> bool:
        scene = st.scene
        products = {
            n.product: (self.products[n.product].snapshot or {}).get("data") for n in scene.needs
        }
        status = self._status(scene)
        try:
            summary = scene.summarize(products, st.options, ctx)
            panels = scene.build_view(products, st.options, ctx)
        except Exception:
            # A transform bug must not blank the wall: keep the last view, flag it stale.
            log.exception("scene %s failed to render; keeping its last view", scene.id)
            status = {
                "stale": True,
                "since": now_local().strftime("%H:%M:%S"),
                "labels": ["渲染失败"],
            }
            meta = self.store.get(f"meta:{scene.id}") or {"version": 0}
            self.store.set(
                f"meta:{scene.id}", {**meta, "status": status, "token": f"{meta['version']}:err"}
            )
            # Forget the good token, or a later render with the same panels would skip
            # writing meta and the "渲染失败" badge would stay up for good.
            st.token = RENDER_FAILED
            return False
        data_token = digest(panels)
        token = f"{data_token}:{digest(status)}"
        if token == st.token:
            return False
        version = int(time.time() * 1000)
        fps = {name: fingerprint(value) for name, value in panels.items()}
        as_of = max(
            (
                s.get("as_of") or ""
                for s in (self.products[n.product].snapshot or {} for n in scene.needs)
            ),
            default="",
        )
        moved = summary != st.summary
        st.token, st.summary = token, summary
        self.store.set(f"fp:{scene.id}:{version}", fps, ttl_s=FP_HISTORY_TTL_S)
        self.store.set_many(
            {
                f"view:{scene.id}": {"version": version, "panels": panels, "fingerprints": fps},
                f"summary:{scene.id}": summary.as_dict(),
                f"meta:{scene.id}": {
                    "version": version,
                    "token": f"{version}:{digest(status)}",
                    "status": status,
                    "as_of": as_of,
                },
            }
        )
        return moved

    # loop -----------------------------------------------------------------
    def run(self) -> None:
        """Collect until stopped, only while this process holds the collector lease."""
        while not self._stop.is_set():
            try:
                if self.store.acquire_lock(
                    "collector", self.owner, ttl_s=max(5.0, 5 * self.tick_s)
                ):
                    # Collect first: what is stored already reaches the wall before the
                    # feeds' (at start-up heavy) catch-up runs; their news is picked up next tick.
                    self.collect_once()
                    self._run_feeds()
            except SourceError as exc:
                log.warning("hub tick skipped: %s", exc)
            except Exception:
                log.exception("hub tick failed")
            self._wake.wait(self.tick_s)
            self._wake.clear()

    def _run_feeds(self) -> None:
        for feed in self.feeds:
            name = getattr(feed, "__qualname__", repr(feed))
            try:
                feed()
            except Exception as exc:
                # A feed that cannot deliver (store down) must not stop collection, or the
                # wall would never turn stale. Log the change of state, not every tick.
                if name not in self._feeds_failing:
                    self._feeds_failing.add(name)
                    log.warning("feed %s failed (%s); collecting anyway", name, exc)
                continue
            if name in self._feeds_failing:
                self._feeds_failing.discard(name)
                log.warning("feed %s recovered", name)

    def start(self) -> None:
        """Run the loop in a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="cityops-hub", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the loop and give up the lease."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with contextlib.suppress(SourceError):
            self.store.release_lock("collector", self.owner)
