"""End-to-end checks of the wall in headless Chromium against the real app process.

Each test opens a fresh browser context on a shared server (SQLite, or PostgreSQL + Redis).
The data-update test runs last in this file because it adds a test station to the server's data.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.helpers import (
    REPO,
    Server,
    TcpProxy,
    WallPage,
    enabled_scenes,
    page_text,
    pg_schema,
    pg_sqlalchemy_url,
    start_server,
    stop_server,
    wait_drawn,
    wait_until,
)

pytestmark = pytest.mark.browser

SCENES = enabled_scenes()
LAYOUT_VIEWPORTS = [(1920, 1080), (3840, 2160), (1280, 720), (7680, 2160)]
SCREENSHOT_SIZES = [(1920, 1080), (3840, 2160)]
MAX_IMAGE_BYTES = 1_000_000  # above this a screenshot is saved as JPEG 85 instead
# The wall keeps naive Asia/Shanghai wall time (data_sources.datasets.base.LOCAL_TZ).
WALL_TZ = ZoneInfo("Asia/Shanghai")


def scene_title(scene_id: str) -> str:
    from scenes import SCENES_BY_ID

    return SCENES_BY_ID[scene_id].title


def open_scene(
    open_page: Any, server: Server, path: str, size: tuple[int, int] = (1920, 1080)
) -> WallPage:
    wp = open_page(*size)
    response = wp.goto(server.url + path)
    assert response is not None and response.status == 200, (
        f"GET {path} -> {response and response.status}"
    )
    wait_drawn(wp.page)
    return wp


# ---- every scene renders, offline and without errors ---------------------------------------


@pytest.mark.parametrize("scene_id", SCENES)
def test_scene_renders(open_page: Any, server: Server, scene_id: str) -> None:
    """Figures draw (maps too), the title shows, no console error, no request leaves loopback."""
    wp = open_scene(open_page, server, f"/wall/{scene_id}")
    page = wp.page
    assert page.locator(f".scene-{scene_id}").count() == 1
    name = page.locator(".scene-name")
    assert name.is_visible() and name.inner_text().strip() == scene_title(scene_id)
    assert page.locator(".scene-nav").is_visible()
    active = page.locator(".nav-link.active")
    wait_until(lambda: active.count() == 1, 3)
    assert active.inner_text().strip() == scene_title(scene_id)
    n_graphs = page.locator(".panel-graph").count()
    assert page.locator(".panel-graph .main-svg").count() >= n_graphs, "a graph has no SVG"
    for i in range(page.locator(".map-graph").count()):
        canvas = page.locator(".map-graph").nth(i).locator(".maplibregl-canvas")
        box = canvas.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, f"map {i} canvas is {box}"
    assert not page.locator(".stale-badge").inner_text().strip(), (
        "fresh data but a stale badge shows"
    )
    # The simulator keeps feeding: a later poll of this scene must bring new data (HTTP 200
    # with a new token), not only 204s; errors from those live updates are caught too.
    updates: list[float] = []

    def on_response(response: Any) -> None:
        if "_dash-update-component" not in response.url or response.status != 200:
            return
        try:
            output = json.loads(response.request.post_data or "{}").get("output", "")
        except ValueError:
            return
        if '"part":"token"' in output and f'"scene":"{scene_id}"' in output:
            updates.append(time.monotonic())

    page.on("response", on_response)
    started = time.monotonic()
    wait_until(lambda: any(t > started for t in updates), 12)
    wp.assert_no_errors()
    wp.assert_loopback_only()


def test_root_shows_first_scene(open_page: Any, sqlite_server: Server) -> None:
    wp = open_scene(open_page, sqlite_server, "/")
    assert wp.page.locator(".scene-name").inner_text().strip() == scene_title(SCENES[0])
    wp.assert_no_errors()


def test_overview_aqi_tile_shows_its_level_colour(open_page: Any, sqlite_server: Server) -> None:
    """The city AQI tile carries the HJ 633 level colour chip next to its label (and in words)."""
    assert {"overview", "environment"} <= set(SCENES), f"default config lost a scene: {SCENES}"
    wp = open_scene(open_page, sqlite_server, "/wall/overview")
    tile = wp.page.locator(".kpi[data-scene='environment']").filter(has_text="AQI").first
    tile.wait_for(state="visible")
    assert tile.locator(".kpi-chip").count() == 1, (
        f"no level chip in the AQI tile: {tile.inner_html()}"
    )
    wp.assert_no_errors()


@pytest.mark.parametrize("scene_id", SCENES)
def test_kiosk_hides_nav(open_page: Any, sqlite_server: Server, scene_id: str) -> None:
    """`/scene/<id>` shows the scene without the switcher."""
    wp = open_scene(open_page, sqlite_server, f"/scene/{scene_id}")
    page = wp.page
    assert "mode-scene" in (page.locator(".canvas").get_attribute("class") or "")
    assert page.locator(".scene-nav").count() == 1
    assert not page.locator(".scene-nav").is_visible(), "kiosk mode still shows the scene switcher"
    assert page.locator(f".scene-{scene_id}").count() == 1
    wp.assert_no_errors()
    wp.assert_loopback_only()


def test_unknown_scene_is_a_page_not_an_error(open_page: Any, sqlite_server: Server) -> None:
    wp = open_page()
    response = wp.goto(sqlite_server.url + "/wall/nope")
    assert response is not None and response.status == 200
    page = wp.page
    page.locator(".unknown-scene").wait_for(state="visible")
    assert "未知场景" in page.locator(".unknown-scene").inner_text()
    assert "nope" in page.locator(".unknown-scene").inner_text()
    assert page.locator(".scene-name").inner_text().strip() == "未知场景"
    # It offers the way back: a link per enabled scene.
    hrefs = page.locator(".unknown-scene a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    assert sorted(hrefs) == sorted(f"/wall/{s}" for s in SCENES)
    page.wait_for_timeout(1000)
    wp.assert_no_errors()
    wp.assert_loopback_only()


# ---- layout at several display sizes --------------------------------------------------------

LAYOUT_JS = """
() => {
  const rect = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const title = (el) => (el.querySelector('.panel-title') || {}).textContent || '(untitled)';
  const de = document.documentElement;
  return {
    vw: window.innerWidth, vh: window.innerHeight,
    canvas: rect(document.querySelector('.canvas')),
    scroll: {
      docW: de.scrollWidth, docH: de.scrollHeight, bodyW: document.body.scrollWidth, bodyH: document.body.scrollHeight,
      x: window.scrollX, y: window.scrollY,
      barW: window.innerWidth - de.clientWidth, barH: window.innerHeight - de.clientHeight,
    },
    panels: [...document.querySelectorAll('.panel')].map((p) => ({title: title(p), r: rect(p)})),
    bodies: [...document.querySelectorAll('.panel')].map((p) => {
      const b = p.querySelector('.panel-body'), h = p.querySelector('.panel-head');
      return {title: title(p), sh: b.scrollHeight, ch: b.clientHeight, sw: b.scrollWidth, cw: b.clientWidth,
              hsw: h ? h.scrollWidth : 0, hcw: h ? h.clientWidth : 0};
    }),
    inner: [...document.querySelectorAll('.panel')].flatMap((p) => innerProblems(p, title(p))),
  };
}
"""
# Inside a panel body (plotly's own SVG aside): text cut off by a clipping box (unless the
# box says so with an ellipsis), and blocks whose content spills sideways into a neighbour.
INNER_JS = """
function innerProblems(panel, title) {
  const body = panel.querySelector('.panel-body');
  if (!body) return [];
  const out = [];
  const snippet = (el) => (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
  const inPlot = (el) => el.closest('.js-plotly-plot');
  const scale = body.getBoundingClientRect().width / (body.offsetWidth || 1);
  const clippers = [body, ...body.querySelectorAll('*')].filter((el) => {
    if (inPlot(el) || el instanceof SVGElement) return false;
    const cs = getComputedStyle(el);
    return cs.overflowX !== 'visible' || cs.overflowY !== 'visible';
  });
  for (const box of clippers) {
    if (getComputedStyle(box).textOverflow === 'ellipsis') continue;
    const b = box.getBoundingClientRect();
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || inPlot(el) || getComputedStyle(el).textOverflow === 'ellipsis') continue;
      const range = document.createRange(); range.selectNodeContents(n);
      const r = range.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      const cut = Math.max(b.left - r.left, b.top - r.top, r.right - b.right, r.bottom - b.bottom) / scale;
      if (cut > 2) out.push(`${title}: text ${JSON.stringify(n.textContent.trim().slice(0, 30))} is cut by ${Math.round(cut)} px at the edge of .${(box.className || box.tagName).toString().split(' ')[0]}`);
    }
  }
  for (const el of body.querySelectorAll('*')) {
    if (inPlot(el) || el instanceof SVGElement || !el.clientWidth) continue;
    const cs = getComputedStyle(el);
    if (cs.overflowX !== 'visible' || cs.display.startsWith('inline')) continue;
    const spill = el.scrollWidth - el.clientWidth;
    if (spill > 2) out.push(`${title}: .${(el.className || el.tagName).toString().split(' ')[0]} ${JSON.stringify(snippet(el))} spills ${spill} px sideways out of its ${el.clientWidth} px box`);
  }
  return [...new Set(out)];
}
"""
LAYOUT_JS = LAYOUT_JS.replace("() => {", "() => {" + INNER_JS, 1)


def layout_problems(m: dict[str, Any]) -> list[str]:
    """Everything wrong with one measured page, as readable lines."""
    out = []
    vw, vh = m["vw"], m["vh"]
    left, top, right, bottom = m["canvas"]
    if left < -1 or top < -1 or right > vw + 1 or bottom > vh + 1:
        out.append(f"canvas {m['canvas']} is outside the {vw}x{vh} viewport")
    fill = max((right - left) / vw, (bottom - top) / vh)
    if fill < 0.98:
        out.append(f"canvas fills only {fill:.0%} of the viewport's limiting side")
    s = m["scroll"]
    if max(s["docW"], s["bodyW"]) > vw or max(s["docH"], s["bodyH"]) > vh or s["x"] or s["y"]:
        out.append(f"the page scrolls: {s}")
    if s["barW"] > 0 or s["barH"] > 0:
        out.append(f"scrollbars take {s['barW']}x{s['barH']} px")
    panels = m["panels"]
    for i, a in enumerate(panels):
        al, at, ar, ab = a["r"]
        if al < left - 1 or at < top - 1 or ar > right + 1 or ab > bottom + 1:
            out.append(f"panel {a['title']!r} {a['r']} sticks out of the canvas {m['canvas']}")
        if ar - al < 20 or ab - at < 20:
            out.append(f"panel {a['title']!r} is collapsed: {a['r']}")
        for b in panels[i + 1 :]:
            bl, bt, br, bb = b["r"]
            w, h = min(ar, br) - max(al, bl), min(ab, bb) - max(at, bt)
            if w > 1 and h > 1:
                out.append(
                    f"panels {a['title']!r} and {b['title']!r} overlap by {w:.0f}x{h:.0f} px"
                )
    for b in m["bodies"]:
        if b["sh"] > b["ch"] + 2:
            out.append(
                f"panel {b['title']!r}: content is {b['sh']} px tall in a {b['ch']} px body (clipped)"
            )
        if b["sw"] > b["cw"] + 2:
            out.append(
                f"panel {b['title']!r}: content is {b['sw']} px wide in a {b['cw']} px body (clipped)"
            )
        if b["hsw"] > b["hcw"] + 2:
            out.append(f"panel {b['title']!r}: title bar is {b['hsw']} px wide in {b['hcw']} px")
    out += m["inner"]
    return out


@pytest.mark.parametrize("size", LAYOUT_VIEWPORTS, ids=[f"{w}x{h}" for w, h in LAYOUT_VIEWPORTS])
def test_layout_fits(open_page: Any, sqlite_server: Server, size: tuple[int, int]) -> None:
    """The scaled canvas fits the display; no scrollbars, overlapping panels or clipped content."""
    wp = open_page(*size)
    problems = []
    for scene_id in SCENES:
        response = wp.goto(f"{sqlite_server.url}/wall/{scene_id}")
        assert response is not None and response.status == 200
        wait_drawn(wp.page)
        wp.page.wait_for_timeout(600)  # the canvas is re-fitted on a timer and on resize
        problems += [
            f"{scene_id} @ {size[0]}x{size[1]}: {p}"
            for p in layout_problems(wp.page.evaluate(LAYOUT_JS))
        ]
    assert not problems, "layout problems:\n" + "\n".join(problems)
    wp.assert_no_errors()
    wp.assert_loopback_only()


# ---- fonts ----------------------------------------------------------------------------------

FONT_URL = "/assets/fonts/NotoSansSC-Regular.subset.woff2"
TOFU_JS = """
(family) => {
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const g = c.getContext('2d', {willReadFrequently: true});
  const draw = (ch) => {
    g.clearRect(0, 0, 64, 64); g.fillStyle = '#000'; g.font = `48px ${family}`; g.textBaseline = 'top';
    g.fillText(ch, 4, 4); return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
  };
  const tofu = draw('\\uE000'), liao = draw('聊'), cheng = draw('城');
  return {liaoIsTofu: liao === tofu, chengIsTofu: cheng === tofu, distinct: liao !== cheng,
          width: (g.font = `48px ${family}`, g.measureText('聊城').width)};
}
"""
CJK_FAMILY = re.compile(r"CJK|Noto Sans SC|Source Han|YaHei|PingFang|WenQuanYi|Hei|Song", re.I)


def test_bundled_font_is_served_and_used(open_page: Any, sqlite_server: Server) -> None:
    """The woff2 comes from the app itself, loads as a FontFace, and Chinese is never tofu."""
    response = sqlite_server.get(FONT_URL)
    assert response.status_code == 200
    assert response.content[:4] == b"wOF2", f"not a woff2 body: {response.content[:16]!r}"
    assert len(response.content) > 100_000

    wp = open_scene(open_page, sqlite_server, f"/wall/{SCENES[0]}")
    page = wp.page
    loaded = page.evaluate(
        """async () => {
          const faces = await document.fonts.load('16px "Noto Sans SC"', '聊城');
          const bold = await document.fonts.load('bold 16px "Noto Sans SC"', '聊城');
          return {faces: faces.length, bold: bold.length, check: document.fonts.check('16px "Noto Sans SC"', '聊城')};
        }"""
    )
    assert loaded["faces"] >= 1 and loaded["bold"] >= 1 and loaded["check"], loaded
    font_requests = [u for u in wp.requests if "/assets/fonts/" in u]
    assert any(u.endswith("NotoSansSC-Regular.subset.woff2") for u in font_requests), wp.requests

    bundled = page.evaluate(TOFU_JS, '"Noto Sans SC"')
    assert not bundled["liaoIsTofu"] and not bundled["chengIsTofu"] and bundled["distinct"], bundled
    stack = page.evaluate("getComputedStyle(document.body).fontFamily")
    in_page = page.evaluate(TOFU_JS, stack)
    assert not in_page["liaoIsTofu"] and not in_page["chengIsTofu"], (stack, in_page)

    # Which fonts Chromium really used for the title: every one must carry CJK glyphs.
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": ".title-city"})["nodeId"]
    assert node, "no .title-city element"
    # The platform fonts are reported for the text node inside the span.
    text_node = cdp.send("DOM.describeNode", {"nodeId": node, "depth": 1})["node"]["children"][0]
    cdp.send("DOM.requestChildNodes", {"nodeId": node})
    used = (
        cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        or cdp.send("CSS.getPlatformFontsForNode", {"nodeId": text_node.get("nodeId", node)})[
            "fonts"
        ]
    )
    assert used, "Chromium reports no font for the title"
    assert all(CJK_FAMILY.search(f["familyName"]) for f in used), (
        f"title drawn with non-CJK fonts: {used}"
    )
    wp.assert_no_errors()
    wp.assert_loopback_only()


# ---- screenshots ----------------------------------------------------------------------------


def screenshot_dir() -> Path:
    chosen = Path(os.environ.get("CITYOPS_SCREENSHOTS") or "test-artifacts/screenshots")
    path = chosen if chosen.is_absolute() else REPO / chosen
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("size", SCREENSHOT_SIZES, ids=[f"{w}x{h}" for w, h in SCREENSHOT_SIZES])
@pytest.mark.parametrize("scene_id", SCENES)
def test_screenshot(
    open_page: Any, sqlite_server: Server, scene_id: str, size: tuple[int, int]
) -> None:
    """`<scene>-<W>x<H>.png` after every figure has drawn (JPEG 85 if a PNG would be too big)."""
    wp = open_scene(open_page, sqlite_server, f"/wall/{scene_id}", size)
    page = wp.page
    page.wait_for_timeout(1200)  # map tiles/labels and the 0.4 s fade settle
    wait_drawn(page)
    out = screenshot_dir()
    stem = f"{scene_id}-{size[0]}x{size[1]}"
    png = page.screenshot(type="png", full_page=False)
    for old in (out / f"{stem}.png", out / f"{stem}.jpg"):
        old.unlink(missing_ok=True)
    if len(png) <= MAX_IMAGE_BYTES:
        (out / f"{stem}.png").write_bytes(png)
    else:
        jpg = page.screenshot(type="jpeg", quality=70, full_page=False)
        (out / f"{stem}.jpg").write_bytes(jpg)
    wp.assert_no_errors()
    wp.assert_loopback_only()


# ---- stale data -------------------------------------------------------------------------------


@pytest.fixture
def cut_off_server(tmp_path: Path, pg_admin: str) -> Iterator[tuple[Server, TcpProxy]]:
    """An app that reads PostgreSQL through a proxy the test can cut, and writes to it directly.

    The scenes read the `citydb` source (through the proxy); ingest writes through a second
    source straight to the database. After the cut the simulator's writes keep announcing
    news, so the hub re-reads at once and meets the outage (no wait for the 30 s refresh).
    """
    from sqlalchemy.engine import make_url

    target = make_url(pg_admin)
    proxy = TcpProxy((target.host or "127.0.0.1", target.port or 5432))
    via_proxy = target.set(port=proxy.port).render_as_string(hide_password=False)
    config = {
        "sources": {
            "writer": {"kind": "sql", "label": "写入库", "url_env": "CITYOPS_TEST_WRITER_URL"}
        },
        "ingest": {"store": "writer"},
    }
    with pg_schema(pg_admin, prefix="wall_stale") as schema:
        env = {
            "DATABASE_URL": pg_sqlalchemy_url(schema, via_proxy),
            "CITYOPS_TEST_WRITER_URL": pg_sqlalchemy_url(schema, pg_admin),
        }
        server = start_server("stale", tmp_path / "stale", env, config=config)
        try:
            yield server, proxy
        finally:
            stop_server(server)
            proxy.cut()


@pytest.mark.postgres
def test_stale_badge_keeps_last_data(
    open_page: Any, cut_off_server: tuple[Server, TcpProxy]
) -> None:
    """When the database goes away the scene keeps its last data, dimmed, with 数据延迟 since."""
    server, proxy = cut_off_server
    scene_id = "environment" if "environment" in SCENES else SCENES[-1]
    wp = open_scene(open_page, server, f"/wall/{scene_id}")
    page = wp.page
    badge = page.locator(f".scene-{scene_id} .stale-badge")
    assert not badge.inner_text().strip()
    plots_before = page.locator(".js-plotly-plot").count()

    proxy.cut()
    cut_at = time.monotonic()
    # News from the writer makes the hub re-read within a few seconds (at the latest after a
    # product's 30 s refresh); the browser polls every 2 s.
    badge.wait_for(state="visible", timeout=45_000)
    text = badge.inner_text().strip()
    assert re.search(r"数据延迟 since \d\d:\d\d:\d\d", text), text
    body = page.locator(f".scene-{scene_id} .scene-body")
    assert "is-stale" in (body.get_attribute("class") or "")
    # The badge must be readable and must not hide a panel's title or a scene link.
    covered = page.evaluate(
        """(sel) => {
          const b = document.querySelector(sel).getBoundingClientRect();
          const heads = [...document.querySelectorAll('.panel-head, .nav-link')];
          return heads.filter((h) => {
            const r = h.getBoundingClientRect();
            return Math.min(b.right, r.right) - Math.max(b.left, r.left) > 1
              && Math.min(b.bottom, r.bottom) - Math.max(b.top, r.top) > 1;
          }).map((h) => h.textContent.trim());
        }""",
        f".scene-{scene_id} .stale-badge",
    )
    # The last good data is still on screen: figures, KPI values, no loading or empty state.
    assert page.locator(".js-plotly-plot").count() == plots_before
    assert (
        page.locator(".map-graph .maplibregl-canvas").count() == page.locator(".map-graph").count()
    )
    kpis = page.locator(".kpi-value").all_inner_texts()
    assert kpis and all(k.strip() and k.strip() not in ("—", "NA") for k in kpis), kpis
    assert "加载中…" not in page_text(page)
    health = server.get("/healthz").json()
    assert health["status"] == "degraded", health
    citydb = [s for s in health["sources"] if s.get("name") == "citydb"]
    assert citydb and not citydb[0].get("ok"), health["sources"]
    print(f"stale badge after {time.monotonic() - cut_at:.1f} s: {text}")
    artifacts = REPO / "test-artifacts" / "screenshots"
    artifacts.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artifacts / f"{scene_id}-stale-1920x1080.png"))
    assert not covered, f"the stale badge covers {covered}"
    box = badge.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1920 and box["y"] >= 0, box
    wp.assert_no_errors()
    wp.assert_loopback_only()


# ---- live data reaches the screen (last: it adds a station to the server's data) ---------


def test_data_update_reaches_screen_within_10s(open_page: Any, server: Server) -> None:
    """A reading POSTed to the ingest API is on screen within 10 s.

    The simulator rewrites every existing station's current hour every few seconds, so a
    reading for an existing station could be overwritten before it is drawn. The test posts a
    new station instead, with PM2.5 = 499 µg/m³ at the current hour: the GB 3095 exceedance
    table then lists it with the concentration 499 (and the ticker raises an alert).
    """
    assert "environment" in SCENES, "the environment scene is not enabled"
    wp = open_scene(open_page, server, "/wall/environment")
    page = wp.page
    tag = uuid.uuid4().hex[:6].upper()
    name = f"东昌府区·测试{tag}"
    station = {
        "station_id": f"AQTEST{tag}",
        "name": name,
        "county": "371502",
        "lon": 115.98,
        "lat": 36.45,
    }
    hour = datetime.now(WALL_TZ).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    reading = {
        "station_id": station["station_id"],
        "ts": hour.isoformat(),
        "pm25": 499,
        "pm10": 600,
        "so2": 10,
        "no2": 30,
        "co": 1.0,
        "o3": 40,
    }
    assert name not in page_text(page)

    r = server.ingest("air_stations", [station])
    assert r.status_code == 200, r.text
    t0 = time.monotonic()
    r = server.ingest("air_hourly", [reading])
    assert r.status_code == 200 and r.json().get("accepted") == 1, r.text

    exceed = page.locator(
        f".scene-environment .panel:has-text('GB 3095') tr:has-text('测试{tag}'):has-text('499')"
    )
    exceed.first.wait_for(state="visible", timeout=10_000)
    seconds = time.monotonic() - t0
    assert "499" in exceed.first.inner_text(), exceed.first.inner_text()
    ticker = page.locator(".ticker-track")
    alerted = wait_until(
        lambda: f"测试{tag}" in ticker.inner_text(), max(0.5, 10 - (time.monotonic() - t0))
    )
    print(f"exceedance row on screen after {seconds:.1f} s; ticker alert: {bool(alerted)}")
    assert alerted, f"no ticker alert for the station within 10 s: {ticker.inner_text()!r}"
    wp.assert_no_errors()
    wp.assert_loopback_only()
