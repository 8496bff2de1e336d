"""Root fixtures: real PostgreSQL and Redis, SQLite files, settings and apps built in code.

PostgreSQL and Redis are the real servers (no mocks). When `CI=true` a test that needs one
FAILS if it is unreachable; locally it is skipped with the reason. Each PostgreSQL test gets
its own schema (through `search_path` in the URL) and each Redis test its own key prefix, so
parallel runs never see each other's rows, snapshots or locks.
"""

from __future__ import annotations

import copy
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# Variables that would otherwise leak the developer's own servers into a test's app.
AMBIENT_ENV = ("DATABASE_URL", "REDIS_URL", "CITYOPS_BIGDATA_URL", "CITYOPS_ROLE", "CITYOPS_CONFIG")


def in_ci() -> bool:
    """True when the suite runs in CI, where a missing server is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() == "true"


def require_server(server: str, url: str, error: BaseException | str) -> None:
    """Fail (CI=true) or skip (locally) because `server` at `url` does not answer."""
    detail = " ".join(str(error).split())
    message = f"{server} is unreachable at {url}: {detail}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: tests that need {server} must not skip)", pytrace=False)
    pytest.skip(message)


def wait_until(predicate: Callable[[], Any], timeout_s: float = 5.0, step_s: float = 0.02) -> Any:
    """Poll `predicate` until it returns something truthy; return it, or fail on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout_s} s", pytrace=False)
        time.sleep(step_s)


def city_geo() -> Any:
    """Liaocheng's eight counties, simplified as the app does: the Geo pure transforms draw on."""
    from wall.geo import load_geo

    return load_geo(
        REPO_ROOT / "data/geo/liaocheng_counties.geojson",
        name_field="name",
        code_field="adcode",
        center=(115.98, 36.45),
        zoom=8.2,
        tolerance=0.002,
    )


def simulate(sim: Any, geo: Any, *, now: Any, days: float) -> list[tuple[str, list[dict]]]:
    """A simulated domain's reference, history and live batches up to `now`."""
    from datetime import timedelta

    start = now - timedelta(days=days)
    return [*sim.reference(geo), *sim.history(geo, start, now), *sim.live(geo, now)]


def ingest_batches(source: Any, batches: list[tuple[str, list[dict]]]) -> Any:
    """Create the tables and feed batches through the real ingest path; nothing may be refused."""
    from data_sources.datasets import metadata
    from data_sources.ingest import IngestService
    from data_sources.memory import MemoryBackend

    source.create_tables(metadata)
    service = IngestService(source, MemoryBackend())
    for name, records in batches:
        result = service.ingest(name, records)
        assert not result.rejected, result.rejected[:3]
    return service


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Merge `overrides` into a copy of `base`; nested mappings merge, anything else replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@pytest.fixture(autouse=True)
def _no_ambient_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's DATABASE_URL/REDIS_URL out of tests; tests set what they need."""
    for name in AMBIENT_ENV:
        monkeypatch.delenv(name, raising=False)


# PostgreSQL ---------------------------------------------------------------------------------


def _pg_base_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG_URL


def _pg_conninfo(url: str) -> str:
    """The libpq form of a SQLAlchemy URL (psycopg does not read the `+psycopg` suffix)."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _pg_server() -> str | BaseException:
    """Check once per session whether PostgreSQL answers; return the URL or the error."""
    import psycopg

    url = _pg_base_url()
    try:
        with psycopg.connect(_pg_conninfo(url), connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return exc
    return url


@pytest.fixture
def pg_url(_pg_server: str | BaseException) -> Iterator[str]:
    """A SQLAlchemy URL into a fresh PostgreSQL schema of its own, dropped afterwards."""
    import psycopg
    import sqlalchemy as sa

    if isinstance(_pg_server, BaseException):
        require_server("PostgreSQL", _pg_base_url(), _pg_server)
    base = str(_pg_server)
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_conninfo(base), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_pg_conninfo(base), autocommit=True) as conn:
            conn.execute("SET lock_timeout = '10s'")
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def pg_execute(url: str, sql: str) -> list[tuple]:
    """Run one statement on the test schema directly (setup and checks outside the adapter)."""
    import psycopg
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    options = parsed.query.get("options")
    with psycopg.connect(_pg_conninfo(url.split("?")[0]), autocommit=True, options=options) as c:
        cur = c.execute(sql)
        return cur.fetchall() if cur.description else []


# Redis --------------------------------------------------------------------------------------


def _redis_base_url() -> str:
    return os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS_URL


@pytest.fixture(scope="session")
def _redis_server() -> str | BaseException:
    """Check once per session whether Redis answers; return the URL or the error."""
    import redis

    url = _redis_base_url()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except Exception as exc:
        return exc
    return url


@pytest.fixture
def redis_url(_redis_server: str | BaseException) -> str:
    """The URL of the real Redis test database (use it with a `redis_prefix`)."""
    if isinstance(_redis_server, BaseException):
        require_server("Redis", _redis_base_url(), _redis_server)
    return str(_redis_server)


def delete_prefix(url: str, prefix: str) -> None:
    """Delete every key under `prefix` (test teardown)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key/channel prefix no other test or run uses; its keys are deleted afterwards."""
    prefix = f"cityops-test:{os.getpid()}:{uuid.uuid4().hex[:10]}:"
    yield prefix
    delete_prefix(redis_url, prefix)


@pytest.fixture
def redis_backend(redis_url: str, redis_prefix: str) -> Iterator[Any]:
    """A RedisBackend on the test database under this test's prefix."""
    from data_sources.redis_bus import RedisBackend

    backend = RedisBackend(redis_url, prefix=redis_prefix, timeout_s=3.0)
    yield backend
    backend.close()


class Recorder:
    """A bus handler that keeps what it receives, for assertions across threads."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def __call__(self, channel: str, message: dict[str, Any]) -> None:
        with self._lock:
            self.messages.append((channel, message))

    def on(self, channel: str) -> list[dict[str, Any]]:
        """Messages received on `channel`."""
        with self._lock:
            return [m for c, m in self.messages if c == channel]

    def channels(self) -> list[str]:
        """Channels of every message received, in order."""
        with self._lock:
            return [c for c, _ in self.messages]


def subscribe_ready(bus: Any, pattern: str, probe_channel: str) -> tuple[Any, Recorder]:
    """Subscribe a Recorder and wait until a probe on `probe_channel` arrives (Redis is async)."""
    recorder = Recorder()
    sub = bus.subscribe(pattern, recorder)

    def probed() -> bool:
        bus.publish(probe_channel, {"probe": True})
        return bool(wait_briefly(lambda: recorder.on(probe_channel)))

    wait_until(probed, timeout_s=5.0)
    return sub, recorder


def wait_briefly(predicate: Callable[[], Any], timeout_s: float = 0.2) -> Any:
    """Poll `predicate` for a short while; return its last value (no failure)."""
    deadline = time.monotonic() + timeout_s
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(0.01)
        value = predicate()
    return value


# SQLite, settings and apps ------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file URL inside this test's temporary folder."""
    return f"sqlite:///{tmp_path / 'city.db'}"


def default_raw() -> dict[str, Any]:
    """The raw mapping of config/default.yaml."""
    return yaml.safe_load((REPO_ROOT / "config" / "default.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def settings_factory(tmp_path: Path) -> Callable[..., Any]:
    """Build `config.Settings` from default.yaml plus deep-merged overrides.

    Tests get the simulator off and their own SQLite file, so nothing touches var/city.db.
    Scenes listed in default.yaml whose package is not registered in scenes.ALL_SCENES yet
    are left out here (a scene being built by someone else must not break every other test);
    tests/config/test_loader.py checks default.yaml as shipped.
    """
    from config import build_settings
    from scenes import SCENES_BY_ID

    def make(overrides: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        raw = default_raw()
        raw["scenes"] = {k: v for k, v in raw["scenes"].items() if k in SCENES_BY_ID}
        raw = deep_merge(
            raw,
            {
                "simulator": {"enabled": False},
                "sources": {"citydb": {"default_url": f"sqlite:///{tmp_path / 'city.db'}"}},
            },
        )
        raw = deep_merge(raw, overrides or {})
        return build_settings(raw, **kw)

    return make


@pytest.fixture
def app_factory(settings_factory: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """Build apps with `app.create_app(settings, start=False, redis_url=...)`; close them after.

    A Redis-backed app gets a unique key prefix (its snapshots, locks and channels), deleted
    at teardown together with the app's runtime.
    """
    import app as app_module
    from data_sources.redis_bus import RedisBackend

    made: list[tuple[Any, str | None]] = []

    def make(settings: Any = None, *, redis_url: str | None = None) -> Any:
        dash_app = app_module.create_app(
            settings if settings is not None else settings_factory(),
            start=False,
            redis_url=redis_url,
        )
        runtime = app_module.runtime_of(dash_app)
        prefix = None
        if isinstance(runtime.backend, RedisBackend):
            prefix = f"cityops-test:{os.getpid()}:{uuid.uuid4().hex[:10]}:"
            runtime.backend.prefix = prefix
        made.append((dash_app, prefix))
        return dash_app

    yield make
    for dash_app, prefix in made:
        runtime = app_module.runtime_of(dash_app)
        try:
            if prefix is not None:
                client = runtime.backend.client
                keys = list(client.scan_iter(match=f"{prefix}*", count=500))
                if keys:
                    client.delete(*keys)
        finally:
            runtime.close()
