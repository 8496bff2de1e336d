"""网格化治理 in Chromium: a new event patches only the heat map's z (never its geometry), and a
real mouse click on a grid polygon shows that grid's code, its events and its members."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from shapely.geometry import shape

from data_sources.datasets.cases import grid_members
from data_sources.sql import SqlSource
from indicators.coords import gcj02_to_wgs84
from scenes.grid_governance.maps import GRID_FILL, MEMBERS, OUTLINE
from tests.browser.helpers import Server, enabled_scenes, wait_drawn

pytestmark = pytest.mark.browser

SCENE = "grid_governance"
MAP = f".scene-{SCENE} .map-graph .js-plotly-plot"
WALL_TZ = ZoneInfo("Asia/Shanghai")
# The screen position of a GCJ-02 point on the map, through MapLibre's own projection.
PROJECT_JS = """([sel, x, y]) => {
  const gd = document.querySelector(sel);
  const pt = gd._fullLayout.map._subplot.map.project([x, y]);
  const r = gd.getBoundingClientRect(), s = r.width / gd.offsetWidth;
  return [r.left + pt.x * s, r.top + pt.y * s, r.left, r.top, r.width, r.height];
}"""


TOWNSHIPS_JS = """() => {
  const el = document.getElementById(JSON.stringify({part: 'townships', scene: 'grid_governance'}));
  const gd = el && (el.querySelector('.js-plotly-plot') || el);
  return (gd && gd.data && gd.data[0] && gd.data[0].y) || [];
}"""


def poll(page: Any, check: Any, timeout_s: float) -> Any:
    """Poll `check` while the page keeps running (time.sleep would stall Playwright's events)."""
    deadline = time.monotonic() + timeout_s
    value = check()
    while not value and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        value = check()
    return value


def _fill(page: Any) -> dict[str, Any]:
    return page.evaluate(
        f"""() => {{ const t = document.querySelector('{MAP}').data[{GRID_FILL}];
        return {{locations: t.locations, z: t.z, geojson: t.geojson}}; }}"""
    )


def _pick_quiet_grid(page: Any) -> tuple[str, tuple[float, float], Any]:
    """A large grid with no open event whose inside point is in the middle of the map."""
    fill = _fill(page)
    feats = {f["id"]: f for f in fill["geojson"]["features"]}
    found = []
    for code, z in zip(fill["locations"], fill["z"], strict=True):
        if z != 0:
            continue
        poly = shape(feats[code]["geometry"])
        p = poly.representative_point()
        x, y, left, top, w, h = page.evaluate(PROJECT_JS, [MAP, p.x, p.y])
        if left + 0.3 * w < x < left + 0.7 * w and top + 0.25 * h < y < top + 0.75 * h:
            found.append((poly.area, code, (x, y), p))
    assert found, "no grid without open events in the middle of the map"
    _, code, xy, point = max(found)
    return code, xy, point


def _map_updates(page: Any) -> list[str]:
    """Bodies of live-callback responses that carry the map (collected from now on)."""
    bodies: list[str] = []

    def on_response(response: Any) -> None:
        if "_dash-update-component" not in response.url or response.status != 200:
            return
        output = json.loads(response.request.post_data or "{}").get("output", "")
        if '"part":"map"' in output and f'"scene":"{SCENE}"' in output:
            bodies.append(response.text())

    page.on("response", on_response)
    return bodies


def _map_part(body: str) -> Any:
    response = json.loads(body)["response"]
    key = next(k for k in response if json.loads(k) == {"scene": SCENE, "part": "map"})
    return response[key]["figure"]


def test_click_on_a_grid_shows_its_code_events_and_members(open_page: Any, server: Server) -> None:
    assert SCENE in enabled_scenes(), "the grid_governance scene is not enabled"
    wp = open_page(1920, 1080)
    assert wp.goto(f"{server.url}/wall/{SCENE}").status == 200
    page = wp.page
    wait_drawn(page)
    default = page.locator(f".scene-{SCENE} .gg-code")
    default.wait_for(state="visible")
    assert "默认" in page.locator(".gg-mode").inner_text()  # the busiest grid, until a click
    code, (x, y), point = _pick_quiet_grid(page)
    assert default.inner_text() != code

    # A new event in that grid: the map gets a Patch of z only, the geometry is not resent.
    updates = _map_updates(page)
    lon, lat = gcj02_to_wgs84(point.x, point.y)
    case_id = f"WGTEST{uuid.uuid4().hex[:8].upper()}"
    now = datetime.now(WALL_TZ).replace(microsecond=0)
    event = {"case_id": case_id, "source": "网格", "kind": "事件", "category": "安全隐患", "subcategory": "燃气隐患",
             "grid_code": code, "county": code[:6], "lon": round(lon, 6), "lat": round(lat, 6), "reported_at": now.isoformat()}  # fmt: skip
    r = server.ingest("cases", [event])
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    assert poll(page, lambda: any('"z"' in b for b in updates), 20), "no map update after the event"
    for body in updates:
        part = _map_part(body)
        assert "geojson" not in json.dumps(part), "a tick resent the grid geometry"
        assert part.get("__dash_patch_update") == "__dash_patch_update", str(part)[:300]
    assert poll(page, lambda: _fill(page)["z"][_fill(page)["locations"].index(code)] == 1, 5)

    # A real mouse click at the grid's projected position.
    page.mouse.click(x, y)
    page.wait_for_function(
        "(c) => (document.querySelector('.gg-code') || {}).textContent === c",
        arg=code,
        timeout=10_000,
    )
    detail = page.locator(f".scene-{SCENE} .gg-detail")
    assert "已选网格" in detail.inner_text()
    detail.locator(f"[data-case='{case_id}']").wait_for(state="visible", timeout=10_000)
    row = detail.locator(f"[data-case='{case_id}']").inner_text()
    assert "安全隐患" in row and "燃气隐患" in row and "上报" in row, row
    source = SqlSource("check", server.env["DATABASE_URL"])
    try:
        rows = source.fetch(sa.select(grid_members.c.member_id).where(grid_members.c.grid_code == sa.bindparam("g")), {"g": code})  # fmt: skip
    finally:
        source.close()
    want = sorted(r["member_id"] for r in rows)
    assert want, f"grid {code} has no members in the store"
    shown = detail.locator("[data-member]").evaluate_all("els => els.map(e => e.dataset.member)")
    assert shown == want[: len(shown)] and len(shown) == min(len(want), 4)
    assert f"网格员 {len(want)} 人" in detail.inner_text()

    # The map outlines the selected grid and shows its members (drawn in the browser).
    def highlighted() -> bool:
        lens = page.evaluate(
            f"() => {{ const d = document.querySelector('{MAP}').data; return [d[{OUTLINE}].lon.length, d[{MEMBERS}].lon.length]; }}"
        )
        return lens[0] > 3 and lens[1] == len(want)

    assert poll(page, highlighted, 5), "the selected grid is not outlined on the map"

    # The county picker switches the township chart (the hub's per-county variant).
    def township_labels() -> list[str]:
        return page.evaluate(TOWNSHIPS_JS)

    assert any("街道" in t for t in township_labels())  # 东昌府区 first
    page.locator(f".scene-{SCENE} .gg-picker").get_by_text("阳谷县", exact=True).click()
    # 25 s: once, under the whole suite's load on PostgreSQL, 10 s was not enough.
    assert poll(
        page, lambda: (t := township_labels()) and all(x.startswith("镇片区") for x in t), 25
    ), f"阳谷县's townships never replaced 东昌府区's: {township_labels()}"
    started = time.monotonic()
    page.wait_for_timeout(3000)  # a few live ticks later the selection stays
    assert page.locator(".gg-code").inner_text() == code and time.monotonic() - started >= 3
    wp.assert_no_errors()
    wp.assert_loopback_only()
