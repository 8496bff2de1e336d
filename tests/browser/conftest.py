"""Browser-test fixtures: the real app in a subprocess (SQLite, or PostgreSQL + Redis) and Chromium.

One server per backend and one browser serve the whole session; every test gets a fresh
browser context that records console errors, page errors and every request URL.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PG_ADMIN_URL,
    RUNNING,
    Server,
    WallPage,
    pg_schema,
    pg_sqlalchemy_url,
    start_server,
    stop_server,
    unavailable,
)

REDIS_TEST_URL = os.environ.get("CITYOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


# ---- failure reports carry the server's log --------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    funcargs = getattr(item, "funcargs", {}) or {}
    used = [v for v in funcargs.values() if isinstance(v, Server)]
    for server in used or list(RUNNING):
        report.sections.append((f"app log tail ({server.name}, {server.log})", server.log_tail(80)))


# ---- services -----------------------------------------------------------------------------


def _root_check(request: pytest.FixtureRequest, name: str) -> Any:
    """Reuse tests/conftest.py's session reachability check when it exists (None otherwise)."""
    try:
        return request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        return None


@pytest.fixture(scope="session")
def pg_admin(request: pytest.FixtureRequest) -> str:
    """A libpq URL of a reachable PostgreSQL (fails under CI when it is not, skips locally)."""
    import psycopg
    from sqlalchemy.engine import make_url

    found = _root_check(request, "_pg_server")
    url = PG_ADMIN_URL
    if isinstance(found, str):
        url = make_url(found).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        if isinstance(found, BaseException):
            raise found
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        unavailable(f"PostgreSQL is not reachable at {url}: {exc}")
    return url


@pytest.fixture(scope="session")
def redis_test_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A reachable Redis database of the browser tests' own (db 14), flushed before and after."""
    import redis

    found = _root_check(request, "_redis_server")
    try:
        if isinstance(found, BaseException):
            raise found
        client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3)
        client.ping()
    except Exception as exc:
        unavailable(f"Redis is not reachable at {REDIS_TEST_URL}: {exc}")
    client.flushdb()
    yield REDIS_TEST_URL
    with contextlib.suppress(Exception):
        client.flushdb()
        client.close()


# ---- app servers ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real app on SQLite with the in-process bus, seeded with one day of history."""
    work = tmp_path_factory.mktemp("sqlite-server")
    server = start_server("sqlite", work, {"DATABASE_URL": f"sqlite:///{work / 'city.db'}"})
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def pg_server(
    tmp_path_factory: pytest.TempPathFactory, pg_admin: str, redis_test_url: str
) -> Iterator[Server]:
    """The real app on PostgreSQL (a schema of its own) with Redis as bus and snapshot store."""
    work = tmp_path_factory.mktemp("pg-server")
    with pg_schema(pg_admin) as schema:
        env = {"DATABASE_URL": pg_sqlalchemy_url(schema, pg_admin), "REDIS_URL": redis_test_url}
        server = start_server("postgres+redis", work, env)
        server.extra["schema"] = schema
        yield server
        stop_server(server)


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("pg", id="postgres", marks=[pytest.mark.postgres, pytest.mark.redis]),
]


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Server:
    """The app on each backend in turn (tests that take `server` run once per backend)."""
    return request.getfixturevalue(f"{request.param}_server")


# ---- browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, launched once (never `playwright install`)."""
    if not Path(CHROMIUM).is_file():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
    except Exception as exc:
        pw.stop()
        unavailable(f"Chromium failed to launch from {CHROMIUM}: {exc}")
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """`open_page(width, height)` -> WallPage in a fresh context at that viewport (scale 1)."""
    contexts: list[Any] = []

    def _open(width: int = 1920, height: int = 1080) -> WallPage:
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=1, locale="zh-CN"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        wp = WallPage(page)
        page.on(
            "console",
            lambda m: (
                wp.console_errors.append(
                    f"{m.text} @ {m.location.get('url', '')}:{m.location.get('lineNumber', '')}"
                )
                if m.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda e: wp.page_errors.append(str(e)))
        page.on("request", lambda r: wp.requests.append(r.url))
        page.on("requestfailed", lambda r: wp.failed.append(f"{r.url}: {r.failure}"))
        return wp

    yield _open
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()
