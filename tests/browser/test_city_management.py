"""The 城市管理 drill-down in headless Chromium against the real app (SQLite, and PostgreSQL +
Redis): click a rate tile, the list of the cases behind it appears with the right title, and
every listed case id exists in the database; live updates neither open nor close it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from data_sources.datasets.cases import cases
from data_sources.sql import SqlSource
from indicators.cases import RATE_LABELS
from scenes.city_management.drill import DRILL_TEXT
from scenes.city_management.options import Options
from scenes.city_management.queries import fetch_drill
from scenes.city_management.state import PERIOD_NAMES
from tests.browser.helpers import REPO, Server, WallPage, enabled_scenes, wait_drawn

pytestmark = pytest.mark.browser

SCENE = "city_management"
# Tiles tried in this order: the first whose list is not empty in the seeded database.
PREFERRED = (
    "ontime_closure_rate.month",
    "closure_rate.month",
    "rework_rate.month",
    "registration_rate.month",
    "ontime_closure_rate.today",
)


@pytest.fixture(autouse=True)
def _enabled() -> None:
    # Fail, not skip: a config that silently drops the scene would hide these tests.
    assert SCENE in enabled_scenes(), f"{SCENE} is not enabled in the config the app uses"


def _source(server: Server) -> SqlSource:
    return SqlSource("check", server.env["DATABASE_URL"])


def pick_key(server: Server) -> tuple[str, int]:
    """A tile with cases behind it, and its total, read from the app's own database."""
    source = _source(server)
    try:
        lists = fetch_drill(source)["lists"]
    finally:
        source.close()
    key = next((k for k in PREFERRED if lists[k]["total_early"]), None)
    key = key or next((k for k, v in lists.items() if v["total_early"]), None)
    assert key, "the seeded database has no case behind any rate"
    return key, lists[key]["total_early"]


def existing_ids(server: Server, ids: list[str]) -> set[str]:
    source = _source(server)
    try:
        rows = source.fetch(sa.select(cases.c.case_id).where(cases.c.case_id.in_(ids)))
    finally:
        source.close()
    return {r["case_id"] for r in rows}


def tile(page: Any, key: str) -> Any:
    """The rate tile with this key (Dash writes a dict id as its JSON text)."""
    cid = json.dumps({"key": key, "part": "rate", "scene": SCENE}, separators=(",", ":"))
    return page.locator(f"[id='{cid}']")


def open_wall(open_page: Any, server: Server, size: tuple[int, int] = (1920, 1080)) -> WallPage:
    wp = open_page(*size)
    response = wp.goto(f"{server.url}/scene/{SCENE}")
    assert response is not None and response.status == 200
    wait_drawn(wp.page, timeout_ms=60_000)  # a busy CI box: the first render can be slow
    return wp


def token_updates(page: Any) -> list[float]:
    """Times of live responses that moved this scene's view token."""
    seen: list[float] = []

    def on_response(response: Any) -> None:
        if "_dash-update-component" not in response.url or response.status != 200:
            return
        try:
            output = json.loads(response.request.post_data or "{}").get("output", "")
        except ValueError:
            return
        if '"part":"token"' in output and f'"scene":"{SCENE}"' in output:
            seen.append(time.monotonic())

    page.on("response", on_response)
    return seen


def wait_for_update(page: Any, updates: list[float], since: float, timeout_s: float) -> bool:
    """Wait, letting Playwright dispatch its events (a bare sleep would not), for an update."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(t > since for t in updates):
            return True
        page.wait_for_timeout(250)
    return any(t > since for t in updates)


def test_clicking_a_rate_lists_the_cases_behind_it(open_page: Any, server: Server) -> None:
    key, total = pick_key(server)
    rate, period = key.split(".")
    wp = open_wall(open_page, server)
    page = wp.page
    updates = token_updates(page)
    overlay = page.locator(".cm-drill")
    started = time.monotonic()
    # Live updates re-render the tiles; nobody clicked, so the list stays closed.
    assert wait_for_update(page, updates, started, 20), "no live update arrived"
    assert not overlay.is_visible(), "the drill list opened without a click"

    tile(page, key).click()
    page.locator(".cm-drill.is-open .cm-d-title").wait_for(state="visible", timeout=10_000)
    title = page.locator(".cm-d-title").inner_text().strip()
    assert title == f"{RATE_LABELS[rate]} · {PERIOD_NAMES[period]}：{DRILL_TEXT[rate][0]}"
    count = page.locator(".cm-d-count").inner_text()
    assert count.startswith("共 ") and "件" in count
    ids = page.locator(".cm-d-row[data-case]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-case'))"
    )
    assert 1 <= len(ids) <= Options().drill_rows and len(set(ids)) == len(ids)
    assert existing_ids(server, ids) == set(ids), "listed cases missing from the database"
    if total > Options().drill_rows:
        assert f"显示前 {len(ids)} 件" in count

    # It stays open across live updates (it refreshes from the snapshot, no SQL per click).
    clicked = time.monotonic()
    assert wait_for_update(page, updates, clicked, 20), "no live update after the click"
    page.wait_for_timeout(500)
    assert page.locator(".cm-drill.is-open").is_visible()

    page.locator(".cm-d-close").click()
    overlay.wait_for(state="hidden", timeout=5_000)
    wp.assert_no_errors()
    wp.assert_loopback_only()


def screenshot_dir() -> Path:
    chosen = Path(os.environ.get("CITYOPS_SCREENSHOTS") or "test-artifacts/screenshots")
    path = chosen if chosen.is_absolute() else REPO / chosen
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["1920x1080", "3840x2160"])
def test_screenshot_drill(open_page: Any, sqlite_server: Server, size: tuple[int, int]) -> None:
    """The drill overlay opens over the scene at both sizes; 1920×1080 is saved for the docs."""
    key, _ = pick_key(sqlite_server)
    wp = open_wall(open_page, sqlite_server, size)
    tile(wp.page, key).click()
    wp.page.locator(".cm-drill.is-open .cm-d-row[data-case]").first.wait_for(state="visible")
    wp.page.wait_for_timeout(600)
    if size == (1920, 1080):  # the 4K drill is checked, not kept: the repo stays small
        out = screenshot_dir() / f"{SCENE}-drill-{size[0]}x{size[1]}.png"
        out.write_bytes(wp.page.screenshot(type="png", full_page=False))
    wp.assert_no_errors()
