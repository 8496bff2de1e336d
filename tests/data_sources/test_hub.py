"""The snapshot hub: one fetch per product per tick, keep-last-good, stale status, early
refresh on ingest news, render failures, and one collector across processes."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from dash import html, no_update
from dash.exceptions import PreventUpdate
from pydantic import BaseModel, ConfigDict

from data_sources.datasets import DATASETS, metadata
from data_sources.errors import SourceError, SourceUnavailable
from data_sources.hub import Hub
from data_sources.ingest import IngestService
from data_sources.memory import MemoryBackend
from data_sources.redis_bus import RedisBackend
from data_sources.sql import SqlSource
from scenes.base import DataNeed, Geo, Kpi, Panel, RenderContext, Scene, SceneSummary
from tests.conftest import wait_until
from wall.live import STALE_CLASS, build_update

PRODUCT = "probe.readings"
HOURLY = DATASETS["air_hourly"].table
GEO = Geo(counties={"type": "FeatureCollection", "features": []}, names={}, center=(0, 0), zoom=5)


class ProbeOptions(BaseModel):
    """The fake scene's options."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    unit: str = "µg/m³"


@dataclass
class Probe:
    """A DataNeed.fetch that reads the real SQLite store, counts calls and can be made to fail."""

    calls: int = 0
    fail: SourceError | None = None

    def __call__(self, source: SqlSource) -> list[dict[str, Any]]:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        stmt = sa.select(HOURLY.c.station_id, HOURLY.c.pm25).order_by(HOURLY.c.station_id)
        return source.fetch(stmt)


@dataclass
class Flags:
    """Switches the fake transform reads."""

    render_error: bool = False
    renders: list[str] = field(default_factory=list)


PANELS = (Panel("chart"), Panel("count", "html"))


def make_scene(probe: Probe, flags: Flags, scene_id: str = "probe") -> Scene:
    """A tiny scene with one data need on the `citydb` source and two panels."""
    need = DataNeed(
        PRODUCT, "citydb", probe, label="测试读数", refresh_s=60, datasets=("air_hourly",)
    )

    def build_view(products: Any, _options: Any, _ctx: RenderContext) -> dict[str, Any]:
        flags.renders.append(scene_id)
        if flags.render_error:
            raise ValueError("transform bug")
        rows = products[PRODUCT] or []
        chart = {
            "data": [
                {
                    "type": "bar",
                    "x": [r["station_id"] for r in rows],
                    "y": [r["pm25"] for r in rows],
                }
            ],
            "layout": {"title": {"text": "PM2.5"}},
        }
        return {"chart": chart, "count": f"{len(rows)} 个站点"}

    def summarize(products: Any, _options: Any, _ctx: RenderContext) -> SceneSummary:
        return SceneSummary(kpis=(Kpi("n", "站点数", len(products[PRODUCT] or [])),))

    return Scene(
        id=scene_id,
        title="探针",
        needs=(need,),
        options=ProbeOptions,
        panels=PANELS,
        layout=lambda ids, _o, _c: html.Div(id=ids.part("root")),
        build_view=build_view,
        summarize=summarize,
        register=lambda *_a: None,
    )


def context(summaries: Any = None, products: Any = None) -> RenderContext:
    """A render context with no I/O behind it."""
    return RenderContext(
        city_name="测试市",
        geo=GEO,
        map_style={},
        now=datetime.now(),
        summaries=summaries or {},
        products=products or {},
    )


@pytest.fixture
def source(sqlite_url: str) -> Iterator[SqlSource]:
    """The real SQLite store with the ingest tables and two readings."""
    store = SqlSource("citydb", sqlite_url, timeout_s=2)
    store.create_tables(metadata)
    add(store, "LC001", 35.0)
    add(store, "LC002", 80.0)
    yield store
    store.close()


def add(store: SqlSource, station: str, pm25: float) -> None:
    """Write (or overwrite) one reading."""
    store.upsert(HOURLY, [{"station_id": station, "ts": datetime(2026, 11, 29, 8), "pm25": pm25}])


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The snapshot store/bus: in-process and the real Redis."""
    if request.param == "memory":
        store: Any = MemoryBackend()
    else:
        store = RedisBackend(
            request.getfixturevalue("redis_url"), prefix=request.getfixturevalue("redis_prefix")
        )
    yield store
    store.close()


@dataclass
class Rig:
    """A hub wired to a fake scene, a counting probe and a real store."""

    hub: Hub
    probe: Probe
    flags: Flags
    backend: Any
    source: SqlSource

    def poll(self, known: str | None, scene_id: str = "probe") -> list[Any]:
        """What one browser poll of the live callback returns."""
        return build_update(self.backend.get_many, scene_id, PANELS, known, {}, False)

    def meta(self, scene_id: str = "probe") -> dict[str, Any]:
        """The scene's meta record in the store."""
        return self.backend.get(f"meta:{scene_id}")

    def snap(self) -> dict[str, Any]:
        """The product's snapshot in the store."""
        return self.backend.get(f"snap:{PRODUCT}")


@pytest.fixture
def rig(source: SqlSource, backend: Any) -> Iterator[Rig]:
    """A hub with one fake scene."""
    probe, flags = Probe(), Flags()
    scene = make_scene(probe, flags)
    hub = Hub(
        {"probe": (scene, ProbeOptions())},
        {"citydb": source},
        backend,
        context,
        owner="test",
        tick_s=0.05,
    )
    yield Rig(hub, probe, flags, backend, source)
    hub.stop()


# One fetch per product per tick -------------------------------------------------------------


def test_one_fetch_per_product_per_tick_regardless_of_readers(
    source: SqlSource, backend: Any
) -> None:
    probe, flags = Probe(), Flags()
    scenes = {sid: (make_scene(probe, flags, sid), ProbeOptions()) for sid in ("probe", "twin")}
    hub = Hub(scenes, {"citydb": source}, backend, context, owner="test")
    rig = Rig(hub, probe, flags, backend, source)
    hub.collect_once()
    assert probe.calls == 1, "two scenes share one product: one fetch"
    tokens: dict[str, str | None] = {"probe": None, "twin": None}
    prevented = 0
    for _ in range(50):  # fifty browsers poll, some new, some up to date
        for sid in tokens:
            try:
                tokens[sid] = rig.poll(tokens[sid], sid)[len(PANELS)]
            except PreventUpdate:  # the browser is current: Dash answers 204
                prevented += 1
        assert rig.poll(None)[len(PANELS)] == tokens["probe"]
    assert prevented == 2 * 49
    assert probe.calls == 1, "readers never fetch"
    hub.collect_once()
    assert probe.calls == 1, "not due yet (refresh_s=60)"
    hub.on_ingest("ingest.air_hourly", {})
    hub.collect_once()
    assert probe.calls == 2, "news about its dataset: one more fetch for both scenes"
    assert flags.renders == ["probe", "twin"], "unchanged data is not re-rendered"
    hub.stop()


def test_version_changes_only_when_data_changes(rig: Rig) -> None:
    rig.hub.collect_once()
    snap, meta, view = rig.snap(), rig.meta(), rig.backend.get("view:probe")
    assert snap["ok"] is True and snap["data"] == [
        {"station_id": "LC001", "pm25": 35.0},
        {"station_id": "LC002", "pm25": 80.0},
    ]
    assert view["panels"]["count"] == "2 个站点"
    for _ in range(3):
        time.sleep(0.002)
        rig.hub.collect_once(force=True)
        assert rig.snap()["version"] == snap["version"]
        assert rig.meta()["token"] == meta["token"]
    assert rig.probe.calls == 4
    add(rig.source, "LC003", 12.0)
    time.sleep(0.002)
    rig.hub.collect_once(force=True)
    assert rig.snap()["version"] > snap["version"]
    assert rig.meta()["version"] > meta["version"]
    assert rig.backend.get("view:probe")["panels"]["count"] == "3 个站点"
    assert rig.backend.get("summary:probe")["kpis"][0]["value"] == 3


# Failure keeps the last good data ---------------------------------------------------------


def hub_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Warning messages the hub logged."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "data_sources.hub" and r.levelno == logging.WARNING
    ]


def test_failure_keeps_last_good_data_marks_stale_and_logs_once(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    rig.hub.collect_once()
    good = rig.snap()
    (token,) = rig.poll(None)[len(PANELS) : len(PANELS) + 1]
    rig.probe.fail = SourceUnavailable("citydb", "connection refused")
    with caplog.at_level(logging.WARNING, logger="data_sources.hub"):
        for _ in range(4):
            rig.hub.collect_once(force=True)
        assert rig.probe.calls == 5
        assert len(hub_warnings(caplog)) == 1, hub_warnings(caplog)
        assert "probe.readings failed" in hub_warnings(caplog)[0]
        snap = rig.snap()
        assert (
            snap["ok"] is False
            and snap["data"] == good["data"]
            and snap["version"] == good["version"]
        )
        assert snap["label"] == "测试读数" and "connection refused" in snap["error"]
        since = datetime.fromisoformat(snap["failing_since"])
        assert abs((datetime.now() - since).total_seconds()) < 8 * 3600 + 60  # local wall time
        status = rig.meta()["status"]
        assert status == {
            "stale": True,
            "since": snap["failing_since"][11:19],
            "labels": ["测试读数"],
        }
        assert re.fullmatch(r"\d{2}:\d{2}:\d{2}", status["since"])
        assert rig.backend.get("view:probe")["panels"]["count"] == "2 个站点", "never a blank panel"
        update = rig.poll(token)
        assert update[: len(PANELS)] == [no_update] * len(PANELS)
        assert update[len(PANELS) + 1] == f"数据延迟 since {status['since']}（测试读数）"
        assert update[len(PANELS) + 2] == STALE_CLASS

        rig.probe.fail = None
        rig.hub.collect_once(force=True)
        rig.hub.collect_once(force=True)
    warnings = hub_warnings(caplog)
    assert len(warnings) == 2 and "recovered" in warnings[1], warnings
    assert rig.snap()["ok"] is True and rig.snap().get("failing_since") is None
    assert rig.meta()["status"] == {"stale": False}


def test_failure_before_any_good_data_renders_empty_states(rig: Rig) -> None:
    rig.probe.fail = SourceUnavailable("citydb", "down at start-up")
    rig.hub.collect_once()
    snap = rig.snap()
    assert (snap["ok"], snap["data"], snap["version"]) == (False, None, 0)
    assert rig.backend.get("view:probe")["panels"]["count"] == "0 个站点"
    assert rig.meta()["status"]["stale"] is True


# Early refresh on ingest news -------------------------------------------------------------


def test_on_ingest_marks_matching_products_dirty(rig: Rig) -> None:
    rig.hub.collect_once()
    add(rig.source, "LC003", 12.0)
    rig.hub.collect_once()
    assert rig.probe.calls == 1, "refresh_s not reached: no fetch"
    rig.hub.on_ingest("ingest.water_quality", {"count": 1})
    rig.hub.collect_once()
    assert rig.probe.calls == 1, "news about another dataset does not refresh this product"
    rig.hub.on_ingest("ingest.air_hourly", {"count": 1})
    rig.hub.collect_once()
    assert rig.probe.calls == 2
    assert rig.backend.get("view:probe")["panels"]["count"] == "3 个站点"


def test_ingest_news_on_the_bus_refreshes_before_refresh_s(rig: Rig) -> None:
    rig.hub.collect_once()
    sub = rig.backend.subscribe("ingest.*", rig.hub.on_ingest)
    try:
        ingest = IngestService(rig.source, rig.backend)
        record = {"station_id": "LC009", "ts": "2026-11-29T09:00:00+08:00", "pm25": 55.0}
        assert ingest.ingest("air_hourly", [record]).published is True
        wait_until(lambda: rig.hub.products[PRODUCT].dirty)
        rig.hub.collect_once()
    finally:
        sub.close()
    assert rig.probe.calls == 2
    assert rig.backend.get("view:probe")["panels"]["count"] == "3 个站点"


# Render failures --------------------------------------------------------------------------


def test_transform_error_keeps_the_last_view_and_flags_it(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    rig.hub.collect_once()
    view = rig.backend.get("view:probe")
    token = rig.poll(None)[len(PANELS)]
    rig.flags.render_error = True
    add(rig.source, "LC003", 12.0)
    with caplog.at_level(logging.ERROR, logger="data_sources.hub"):
        rig.hub.collect_once(force=True)
    assert "scene probe failed to render" in caplog.text
    assert rig.backend.get("view:probe") == view, "the last good view stays up"
    status = rig.meta()["status"]
    assert status["stale"] is True and status["labels"] == ["渲染失败"]
    update = rig.poll(token)
    assert update[: len(PANELS)] == [no_update] * len(PANELS)
    assert update[len(PANELS) + 1] == f"数据延迟 since {status['since']}（渲染失败）"

    rig.flags.render_error = False
    rig.hub.collect_once()
    assert rig.meta()["status"]["labels"] == ["渲染失败"], "no retry without news"
    add(rig.source, "LC004", 5.0)
    rig.hub.on_ingest("ingest.air_hourly", {})
    rig.hub.collect_once()  # new data: the render is retried and succeeds
    assert rig.meta()["status"] == {"stale": False}
    assert rig.backend.get("view:probe")["panels"]["count"] == "4 个站点"
    update = rig.poll(update[len(PANELS)])
    assert update[len(PANELS) + 1] == ""


def test_transform_error_then_same_output_clears_the_flag(rig: Rig) -> None:
    rig.hub.collect_once()
    rig.flags.render_error = True
    rig.hub.collect_once(force=True)
    assert rig.meta()["status"]["labels"] == ["渲染失败"]
    rig.flags.render_error = False
    rig.hub.collect_once(force=True)  # same data, same panels as before the failure
    assert rig.meta()["status"] == {"stale": False}


# The collector loop -----------------------------------------------------------------------


def test_a_failing_feed_does_not_stop_collection(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    feed_calls: list[int] = []

    def broken_feed() -> None:
        feed_calls.append(1)
        raise RuntimeError("simulator cannot reach the store")

    rig.hub.feeds.append(broken_feed)
    with caplog.at_level(logging.WARNING, logger="data_sources.hub"):
        rig.hub.start()
        wait_until(lambda: rig.probe.calls >= 1 and len(feed_calls) >= 3)
        rig.hub.stop()
    assert rig.backend.get("view:probe") is not None
    assert len([w for w in hub_warnings(caplog) if "feed" in w]) == 1, "logged once, not every tick"


def two_hubs(source: SqlSource, url: str, prefix: str) -> list[tuple[Hub, Probe, RedisBackend]]:
    """Two collectors (as in two processes) sharing one Redis."""
    out = []
    for owner in ("host-a:1", "host-b:2"):
        probe = Probe()
        store = RedisBackend(url, prefix=prefix)
        hub = Hub(
            {"probe": (make_scene(probe, Flags()), ProbeOptions())},
            {"citydb": source},
            store,
            context,
            owner=owner,
            tick_s=0.05,
        )
        out.append((hub, probe, store))
    return out


def test_only_one_of_two_hubs_holds_the_collector_lock(
    source: SqlSource, redis_url: str, redis_prefix: str
) -> None:
    rigs = two_hubs(source, redis_url, redis_prefix)
    try:
        for hub, _, _ in rigs:
            hub.start()
        wait_until(lambda: any(p.calls for _, p, _ in rigs))
        time.sleep(0.4)  # many ticks for both
        active = [hub for hub, probe, _ in rigs if probe.calls]
        assert len(active) == 1, [p.calls for _, p, _ in rigs]
        leader = active[0]
        follower, follower_probe = next((h, p) for h, p, _ in rigs if h is not leader)
        assert follower.store.acquire_lock("collector", follower.owner, ttl_s=5) is False
        leader.stop()  # gives the lease up
        wait_until(lambda: follower_probe.calls >= 1)
        assert follower.store.get(f"snap:{PRODUCT}")["ok"] is True
    finally:
        for hub, _, store in rigs:
            hub.stop()
            store.close()


def test_memory_hub_loop_collects_and_stops(rig: Rig) -> None:
    rig.hub.start()
    wait_until(lambda: rig.probe.calls >= 1)
    rig.hub.on_ingest("ingest.air_hourly", {})
    wait_until(lambda: rig.probe.calls >= 2)
    rig.hub.stop()
    assert rig.hub._thread is not None and not rig.hub._thread.is_alive()
    assert rig.backend.acquire_lock("collector", "someone-else", ttl_s=1) is True, "lease released"
