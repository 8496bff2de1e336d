"""One contract over every adapter: health never raises, fetch works, close twice is safe,
and a dead backend raises only the documented SourceError kind; plus the two buses' semantics."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from data_sources.base import Health, Source, StreamSource
from data_sources.errors import (
    SourceConfigError,
    SourceError,
    SourceQueryError,
    SourceTimeout,
    SourceUnavailable,
)
from data_sources.files import FileSource
from data_sources.http_feed import HttpSource
from data_sources.memory import MemoryBackend
from data_sources.redis_bus import RedisBackend
from data_sources.sql import SqlSource
from tests.conftest import subscribe_ready, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = 1  # nothing listens on tcpmux: connections are refused at once
SLOW_S = 1.0

# A tiny JSON feed --------------------------------------------------------------------------


class _Feed(BaseHTTPRequestHandler):
    """Serves the answers the HTTP adapter must cope with, counting requests per path."""

    hits: dict[str, int] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?")[0]
        _Feed.hits[path] = _Feed.hits.get(path, 0) + 1
        if path in ("/", "/ok"):
            self._send(200, json.dumps({"items": [1, 2, 3], "city": "聊城"}).encode())
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self._send(code, json.dumps({"error": code}).encode())
        elif path == "/invalid":
            self._send(200, b"{not json")
        elif path == "/slow":
            time.sleep(SLOW_S)
            self._send(200, b"{}")
        else:
            self._send(404, b'{"error": "not found"}')

    def _send(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the client may have given up (the timeout case)

    def log_message(self, *_args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def http_base() -> Iterator[str]:
    """Base URL of a local JSON server on 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# Healthy adapters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Healthy:
    """An adapter pointed at something that works, and a fetch with its expected answer."""

    build: Callable[[pytest.FixtureRequest, Path], Any]
    fetch: Callable[[Any], Any]
    check: Callable[[Any], bool]


def _sqlite(request: pytest.FixtureRequest, tmp: Path) -> SqlSource:
    return SqlSource("citydb", request.getfixturevalue("sqlite_url"), timeout_s=2)


def _postgres(request: pytest.FixtureRequest, _tmp: Path) -> SqlSource:
    return SqlSource("citydb", request.getfixturevalue("pg_url"), timeout_s=2)


def _redis(request: pytest.FixtureRequest, _tmp: Path) -> RedisBackend:
    backend = RedisBackend(
        request.getfixturevalue("redis_url"), prefix=request.getfixturevalue("redis_prefix")
    )
    backend.set("answer", {"n": 42, "name": "聊城"})
    return backend


def _memory(_request: pytest.FixtureRequest, _tmp: Path) -> MemoryBackend:
    backend = MemoryBackend()
    backend.set("answer", {"n": 42, "name": "聊城"})
    return backend


def _http(request: pytest.FixtureRequest, _tmp: Path) -> HttpSource:
    return HttpSource("bigdata", request.getfixturevalue("http_base"), timeout_s=2, retries=0)


SELECT = sa.text("SELECT CAST(:x AS INTEGER) + 1 AS y, 'ok' AS s")
HEALTHY = {
    "sql-sqlite": Healthy(
        _sqlite, lambda a: a.fetch(SELECT, {"x": 41}), lambda r: r == [{"y": 42, "s": "ok"}]
    ),
    "sql-postgres": Healthy(
        _postgres, lambda a: a.fetch(SELECT, {"x": 41}), lambda r: r == [{"y": 42, "s": "ok"}]
    ),
    "redis": Healthy(_redis, lambda a: a.fetch("answer"), lambda r: r == {"n": 42, "name": "聊城"}),
    "memory": Healthy(
        _memory, lambda a: a.fetch("answer"), lambda r: r == {"n": 42, "name": "聊城"}
    ),
    "file-geojson": Healthy(
        lambda _r, _t: FileSource("files", REPO_ROOT / "data"),
        lambda a: a.fetch("geo/liaocheng_counties.geojson"),
        lambda r: len(r) == 8 and {"adcode", "name", "geometry"} <= set(r.columns),
    ),
    "http": Healthy(
        _http, lambda a: a.fetch("ok"), lambda r: r == {"items": [1, 2, 3], "city": "聊城"}
    ),
}


@pytest.mark.parametrize("case", HEALTHY, ids=list(HEALTHY))
def test_healthy_adapter_contract(
    case: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    spec = HEALTHY[case]
    adapter = spec.build(request, tmp_path)
    try:
        assert isinstance(adapter, Source)
        assert adapter.name and adapter.kind
        health = adapter.health()
        assert isinstance(health, Health)
        assert health.ok is True, health
        assert health.as_dict() == {
            "name": adapter.name,
            "kind": adapter.kind,
            "ok": True,
            "detail": health.detail,
        }
        result = spec.fetch(adapter)
        assert spec.check(result), result
    finally:
        adapter.close()
        adapter.close()  # twice is safe


def test_file_source_reads_csv_and_refuses_paths_outside_its_root(tmp_path: Path) -> None:
    (tmp_path / "counts.csv").write_text("county,n\n371502,7\n371503,3\n", encoding="utf-8")
    source = FileSource("files", tmp_path)
    frame = source.fetch("counts.csv")
    assert frame.to_dict("records") == [{"county": 371502, "n": 7}, {"county": 371503, "n": 3}]
    with pytest.raises(SourceQueryError, match="escapes the data folder"):
        source.fetch("../outside.csv")
    with pytest.raises(SourceQueryError, match="unsupported file type"):
        source.fetch("counts.xlsx")
    (tmp_path / "broken.geojson").write_text("{this is not geojson", encoding="utf-8")
    with pytest.raises(SourceQueryError):
        source.fetch("broken.geojson")


@pytest.mark.parametrize("build", [_sqlite, _postgres], ids=["sqlite", "postgres"])
def test_sql_source_round_trips_tables_and_upserts(
    build: Callable[..., SqlSource], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    meta = sa.MetaData()
    table = sa.Table(
        "t", meta, sa.Column("k", sa.String(8), primary_key=True), sa.Column("v", sa.Float)
    )
    source = build(request, tmp_path)
    try:
        source.create_tables(meta)
        source.create_tables(meta)  # idempotent
        assert source.upsert(table, [{"k": "a", "v": 1.0}, {"k": "b", "v": 2.0}]) == 2
        assert source.upsert(table, [{"k": "a", "v": 9.0}]) == 1
        assert source.upsert(table, []) == 0
        rows = source.fetch(sa.select(table).order_by(table.c.k))
        assert rows == [{"k": "a", "v": 9.0}, {"k": "b", "v": 2.0}]
        # A bad query is the same kind on both dialects: retrying will not fix it.
        with pytest.raises(SourceQueryError):
            source.fetch(sa.text("SELECT * FROM no_such_table"))
        with pytest.raises(SourceQueryError):
            source.fetch(sa.text("SELEC 1"))
    finally:
        source.close()


# Dead adapters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dead:
    """An adapter pointed at something dead, what fetch must raise, and what health says."""

    build: Callable[[pytest.FixtureRequest, Path], Any]
    fetch: Callable[[Any], Any]
    raises: type[SourceError]
    health_ok: bool = False


def _sqlite_under_a_file(_request: pytest.FixtureRequest, tmp: Path) -> SqlSource:
    blocker = tmp / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    return SqlSource("citydb", f"sqlite:///{blocker / 'city.db'}", timeout_s=1)


def _http_at(
    path: str, timeout_s: float = 2.0
) -> Callable[[pytest.FixtureRequest, Path], HttpSource]:
    def build(request: pytest.FixtureRequest, _tmp: Path) -> HttpSource:
        base = request.getfixturevalue("http_base") + path
        return HttpSource("bigdata", base, timeout_s=timeout_s, retries=0)

    return build


def _fetch_sql(adapter: SqlSource) -> Any:
    return adapter.fetch(sa.text("SELECT 1"))


DEAD = {
    "sql-sqlite-folder-is-a-file": Dead(_sqlite_under_a_file, _fetch_sql, SourceUnavailable),
    "sql-postgres-closed-port": Dead(
        lambda _r, _t: SqlSource(
            "citydb", f"postgresql+psycopg://postgres@127.0.0.1:{CLOSED_PORT}/test", timeout_s=1
        ),
        _fetch_sql,
        SourceUnavailable,
    ),
    "redis-closed-port": Dead(
        lambda _r, _t: RedisBackend(f"redis://127.0.0.1:{CLOSED_PORT}/0", timeout_s=0.5),
        lambda a: a.fetch("answer"),
        SourceUnavailable,
    ),
    "file-root-missing": Dead(
        lambda _r, t: FileSource("files", t / "no-such-folder"),
        lambda a: a.fetch("geo/liaocheng_counties.geojson"),
        SourceUnavailable,
    ),
    "file-geojson-missing": Dead(
        lambda _r, _t: FileSource("files", REPO_ROOT / "data"),
        lambda a: a.fetch("geo/no_such_city.geojson"),
        SourceUnavailable,
        health_ok=True,  # the folder is there; one file is not
    ),
    "file-csv-missing": Dead(
        lambda _r, _t: FileSource("files", REPO_ROOT / "data"),
        lambda a: a.fetch("no_such_table.csv"),
        SourceUnavailable,
        health_ok=True,
    ),
    "http-closed-port": Dead(
        lambda _r, _t: HttpSource(
            "bigdata", f"http://127.0.0.1:{CLOSED_PORT}", timeout_s=1, retries=0
        ),
        lambda a: a.fetch("ok"),
        SourceUnavailable,
    ),
    "http-500": Dead(_http_at("/status/500"), lambda a: a.fetch(), SourceUnavailable),
    "http-404": Dead(_http_at("/status/404"), lambda a: a.fetch(), SourceQueryError),
    "http-invalid-json": Dead(
        _http_at("/invalid"),
        lambda a: a.fetch(),
        SourceQueryError,
        health_ok=True,  # it answers 200: reachable, the body is what is bad
    ),
    "http-slow-vs-timeout": Dead(
        _http_at("/slow", timeout_s=0.2), lambda a: a.fetch(), SourceTimeout
    ),
    "http-no-url": Dead(
        lambda _r, _t: HttpSource("bigdata", None), lambda a: a.fetch("ok"), SourceConfigError
    ),
}


@pytest.mark.parametrize("case", DEAD, ids=list(DEAD))
def test_dead_adapter_raises_only_the_documented_error(
    case: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    spec = DEAD[case]
    adapter = spec.build(request, tmp_path)  # building never connects, so it never fails
    try:
        started = time.monotonic()
        health = adapter.health()
        assert isinstance(health, Health)
        assert health.ok is spec.health_ok, health
        if not spec.health_ok:
            assert health.detail, "an unhealthy source says why"
        with pytest.raises(SourceError) as info:
            spec.fetch(adapter)
        assert type(info.value) is spec.raises, f"{type(info.value).__name__}: {info.value}"
        assert info.value.source == adapter.name
        assert str(info.value).startswith(f"{adapter.name}: ") and info.value.message
        assert time.monotonic() - started < 5, "a dead source must fail fast, not hang the hub"
    finally:
        adapter.close()
        adapter.close()


def test_http_retries_server_errors_but_not_client_errors(http_base: str) -> None:
    _Feed.hits.clear()
    source = HttpSource("bigdata", http_base, timeout_s=2, retries=2)
    try:
        with pytest.raises(SourceUnavailable):
            source.fetch("status/503")
        assert _Feed.hits["/status/503"] == 3, "a 5xx is retried `retries` times"
        with pytest.raises(SourceQueryError):
            source.fetch("status/400")
        assert _Feed.hits["/status/400"] == 1, "a 4xx is not retried"
        assert source.fetch("ok", params={"q": "x"}) == {"items": [1, 2, 3], "city": "聊城"}
    finally:
        source.close()


def test_dead_redis_write_paths_raise_source_unavailable() -> None:
    backend = RedisBackend(f"redis://127.0.0.1:{CLOSED_PORT}/0", timeout_s=0.5)
    try:
        for call in (
            lambda: backend.set("k", 1),
            lambda: backend.get_many(["a", "b"]),
            lambda: backend.set_many({"a": 1}),
            lambda: backend.publish("ingest.x", {"n": 1}),
            lambda: backend.acquire_lock("collector", "me", 1.0),
            lambda: backend.subscribe("ingest.*", lambda *_: None),
        ):
            with pytest.raises(SourceUnavailable):
                call()
    finally:
        backend.close()


def test_dead_sql_write_paths_raise_source_unavailable() -> None:
    from data_sources.datasets import DATASETS, metadata

    source = SqlSource(
        "citydb", f"postgresql+psycopg://postgres@127.0.0.1:{CLOSED_PORT}/test", timeout_s=1
    )
    try:
        with pytest.raises(SourceUnavailable):
            source.create_tables(metadata)
        with pytest.raises(SourceUnavailable):
            source.upsert(
                DATASETS["air_stations"].table,
                [{"station_id": "a", "name": "n", "county": "371502", "lon": 116.0, "lat": 36.0}],
            )
    finally:
        source.close()


# The two buses ----------------------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def bus(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The in-process backend and the real Redis backend, behind the same interface."""
    if request.param == "memory":
        backend: Any = MemoryBackend()
    else:
        backend = RedisBackend(
            request.getfixturevalue("redis_url"), prefix=request.getfixturevalue("redis_prefix")
        )
    yield backend
    backend.close()


def test_bus_is_a_stream_source(bus: Any) -> None:
    assert isinstance(bus, StreamSource)
    assert bus.health().ok is True


def test_pubsub_round_trip_with_glob_pattern(bus: Any) -> None:
    sub, got = subscribe_ready(bus, "ingest.*", "ingest.__probe__")
    bus.publish("ingest.air_hourly", {"count": 3, "name": "聊城"})
    bus.publish("other.air_hourly", {"count": 99})  # does not match the pattern
    bus.publish("ingest.water_quality", {"count": 1})
    wait_until(lambda: got.on("ingest.water_quality"))
    assert got.on("ingest.air_hourly") == [{"count": 3, "name": "聊城"}]
    assert got.on("other.air_hourly") == []
    assert [c for c in got.channels() if c != "ingest.__probe__"] == [
        "ingest.air_hourly",
        "ingest.water_quality",
    ]
    sub.close()
    time.sleep(0.05)
    bus.publish("ingest.air_hourly", {"count": 4})
    time.sleep(0.3)
    assert got.on("ingest.air_hourly") == [{"count": 3, "name": "聊城"}], (
        "closed subscriptions stop"
    )


def test_failing_handler_does_not_stop_other_handlers(bus: Any) -> None:
    def broken(_channel: str, _message: dict) -> None:
        raise RuntimeError("handler bug")

    bad = bus.subscribe("ingest.*", broken)
    sub, got = subscribe_ready(bus, "ingest.*", "ingest.__probe__")
    bus.publish("ingest.air_hourly", {"count": 1})
    wait_until(lambda: got.on("ingest.air_hourly"))
    bad.close()
    sub.close()


def test_get_set_many_and_missing_keys(bus: Any) -> None:
    assert bus.get("missing") is None
    bus.set("a", {"x": [1, 2], "城市": "聊城"})
    assert bus.get("a") == {"x": [1, 2], "城市": "聊城"}
    bus.set_many({"b": 2, "c": [3]})
    assert bus.get_many(["a", "b", "c", "missing"]) == [{"x": [1, 2], "城市": "聊城"}, 2, [3], None]
    assert bus.get_many([]) == []
    stored = bus.get("a")
    stored["x"].append(99)  # the store hands out copies, like Redis
    assert bus.get("a")["x"] == [1, 2]


def test_ttl_expiry(bus: Any) -> None:
    bus.set("short", "v", ttl_s=0.2)
    bus.set_many({"m1": 1, "m2": 2}, ttl_s=0.2)
    bus.set("long", "v")
    assert bus.get("short") == "v"
    assert bus.get_many(["m1", "m2"]) == [1, 2]
    time.sleep(0.35)
    assert bus.get("short") is None
    assert bus.get_many(["m1", "m2"]) == [None, None]
    assert bus.get("long") == "v"


def test_lock_is_exclusive_until_release(bus: Any) -> None:
    assert bus.acquire_lock("collector", "a", ttl_s=5) is True
    assert bus.acquire_lock("collector", "b", ttl_s=5) is False
    assert bus.acquire_lock("collector", "a", ttl_s=5) is True, "the holder renews"
    bus.release_lock("collector", "b")  # not the holder: no effect
    assert bus.acquire_lock("collector", "b", ttl_s=5) is False
    bus.release_lock("collector", "a")
    assert bus.acquire_lock("collector", "b", ttl_s=5) is True
    assert bus.acquire_lock("collector", "a", ttl_s=5) is False


def test_lock_expires_without_renewal(bus: Any) -> None:
    assert bus.acquire_lock("collector", "a", ttl_s=0.2) is True
    assert bus.acquire_lock("collector", "b", ttl_s=0.2) is False
    time.sleep(0.35)
    assert bus.acquire_lock("collector", "b", ttl_s=5) is True
    assert bus.acquire_lock("collector", "a", ttl_s=5) is False
