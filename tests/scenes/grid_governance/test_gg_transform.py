"""The pure 网格化治理 transform and grid detail on a hand-made product set with exact values."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from dash import Patch, no_update

from data_sources.hub import fingerprint
from scenes.base import RenderContext
from scenes.grid_governance.detail import clicked_code, default_code, grid_detail, limit_text
from scenes.grid_governance.maps import (
    ALERT_LABELS,
    ALERT_OUTLINES,
    ALERT_RINGS,
    COUNTY_LABELS,
    GRID_FILL,
    N_TRACES,
    band_labels,
    band_of,
    county_label_points,
)
from scenes.grid_governance.options import Options
from scenes.grid_governance.transform import DETAIL, GRIDS, STATS, build_view, summarize
from tests.scenes.grid_governance.conftest import as_hub_sees
from wall.live import DEFAULT_VARIANT, diff_panel

G1, G2, G3, G4 = "37150200100101", "37150200100102", "37150210100101", "37152110100101"


def _square(lon: float, lat: float, d: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _cell(code: str, township: str, lon: float, lat: float) -> dict[str, Any]:
    return {
        "grid_code": code, "county": code[:6], "township_code": code[:9], "township": township,
        "community_code": code[:12], "community": f"社区{code[10:12]}", "lon": lon + 0.005,
        "lat": lat + 0.005, "area_km2": 0.99, "geometry": _square(lon, lat), "generated": True,
    }  # fmt: skip


def _event(
    i: int, grid: str, state: str = "处置", deadline: str | None = "2026-11-30T10:00:00"
) -> dict:
    return {
        "grid_code": grid, "case_id": f"WG{i:04d}", "category": "安全隐患", "subcategory": "燃气隐患",
        "state": state, "reported_at": f"2026-11-29T{10 + i:02d}:00:00", "deadline": deadline,
        "department": "应急管理所",
    }  # fmt: skip


def _counts(grid: str, o: int, late: int, today: int, closed: int) -> dict[str, Any]:
    return {"grid_code": grid, "open": o, "overdue": late, "today": today, "closed_today": closed}


def products() -> dict[str, Any]:
    cells = [
        _cell(G1, "东昌府区街道片区01", 115.97, 36.44),
        _cell(G2, "东昌府区街道片区01", 115.98, 36.44),
        _cell(G3, "东昌府区镇片区03", 116.05, 36.40),
        _cell(G4, "阳谷县镇片区01", 115.79, 36.11),
    ]
    month = {"accepted": 100, "registered": 98, "dispatched": 97, "due": 80, "closed": 76, "closed_ontime": 72, "rework": 4, "extended": 3, "handled": 70, "handling_s": 3600.0}  # fmt: skip
    events = [_event(i, G1) for i in range(6)] + [
        _event(6, G1, "缓办"),
        _event(7, G4, "上报", None),
    ]
    events[0]["deadline"] = "2026-11-29T12:00:00"  # overdue at 14:20
    members = [
        {"member_id": "M1", "grid_code": G1, "status": "在线", "lon": 115.975, "lat": 36.445, "ts": "2026-11-29T14:10:00"},
        {"member_id": "M2", "grid_code": G1, "status": "在线", "lon": 115.976, "lat": 36.446, "ts": "2026-11-29T13:00:00"},
        {"member_id": "M3", "grid_code": G4, "status": "离线", "lon": 115.795, "lat": 36.115, "ts": "2026-11-29T14:10:00"},
    ]  # fmt: skip
    return as_hub_sees(
        {
            GRIDS: {"now": "2026-11-29T14:20:00", "cells": cells},
            STATS: {
                "now": "2026-11-29T14:20:00",
                "trend_hours": 24,
                "per_grid": [
                    _counts(G1, 7, 2, 3, 1),
                    _counts(G2, 1, 0, 1, 0),
                    _counts(G3, 0, 0, 0, 2),
                    _counts(G4, 6, 0, 2, 1),
                ],  # fmt: skip
                "per_category": [
                    {
                        "category": "安全隐患",
                        "open": 10,
                        "overdue": 2,
                        "today": 4,
                        "closed_today": 3,
                    },
                    {
                        "category": "矛盾纠纷",
                        "open": 4,
                        "overdue": 0,
                        "today": 2,
                        "closed_today": 1,
                    },
                ],
                "hourly_reported": [
                    {"hour": "2026-11-29 13", "n": 4},
                    {"hour": "2026-11-29 14", "n": 2},
                ],
                "hourly_closed": [{"hour": "2026-11-29 10", "n": 3}],
                "yesterday_same_time": 4,
                "periods": {"today": month, "week": month, "month": month},
            },
            DETAIL: {
                "now": "2026-11-29T14:20:00",
                "cap": 50,
                "events": events,
                "members": members,
                "grids": [
                    {
                        k: c[k]
                        for k in ("grid_code", "township", "community", "area_km2", "generated")
                    }
                    for c in cells
                ],  # fmt: skip
            },
        }
    )


def _text(component: Any) -> str:
    """All strings inside a JSON component tree, joined."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list):
        return " ".join(_text(c) for c in component)
    if isinstance(component, dict):
        return _text(component.get("props", {}).get("children", ""))
    return ""


def test_kpis_say_today_open_rate_members_and_alert_grids(gg_ctx: RenderContext) -> None:
    text = _text(build_view(products(), Options(), gg_ctx)["kpis"])
    for piece in ("今日上报 6 件", "较昨日同时 ↑2", "办理中事件 14 件", "超期 2 件", "本月结案率 95.0 %", "按期 90.0%", "网格员在线 1 /3人", "在线率 33%", "告警网格 2 个", "办理中≥6件"):  # fmt: skip
        assert piece in text, (piece, text)


def test_city_and_county_rows_roll_up_from_grid_codes(gg_ctx: RenderContext) -> None:
    table = build_view(products(), Options(), gg_ctx)["counties"]
    rows = table["props"]["children"][1]["props"]["children"]
    cells = [[_text(td) for td in r["props"]["children"]] for r in rows]
    assert cells[0] == ["全市", "4", "14", "2", "6", "1/3"]
    assert len(rows) == 1 + len(gg_ctx.geo.names)
    by_name = {r[0]: r for r in cells}
    assert by_name["东昌府区"] == ["东昌府区", "3", "8", "2", "4", "1/2"]
    assert by_name["阳谷县"] == ["阳谷县", "1", "6", "—", "2", "0/1"]
    assert by_name["冠县"] == ["冠县", "0", "0", "—", "0", "—"]


def test_township_variants_per_county_biggest_first(gg_ctx: RenderContext) -> None:
    view = build_view(products(), Options(), gg_ctx)["townships"]
    assert set(view) == set(gg_ctx.geo.names) | {DEFAULT_VARIANT}
    assert view[DEFAULT_VARIANT] == view["371502"]
    bars = view["371502"]["data"][0]
    assert bars["y"] == ["街道片区01", "镇片区03"] and bars["x"] == [8, 0]
    assert bars["text"][0] == "8（超期2） · 今日4"
    assert view["371525"]["layout"]["annotations"][0]["text"] == "冠县暂无网格"
    small = build_view(products(), Options(township_rows=3), gg_ctx)["townships"]["371502"]
    assert len(small["data"][0]["y"]) == 2


def test_map_bands_geometry_alerts_and_click_settings(gg_ctx: RenderContext) -> None:
    fig = build_view(products(), Options(), gg_ctx)["map"]
    assert len(fig["data"]) == N_TRACES
    fill = fig["data"][GRID_FILL]
    assert fill["locations"] == [G1, G2, G3, G4]
    assert fill["z"] == [4, 1, 0, 3]  # 7 → 7–10件, 1 → 1件, 0 → 无, 6 → 4–6件
    assert fill["hoverinfo"] == "none" and fig["layout"]["clickmode"] == "event"
    assert fig["layout"]["hovermode"] == "closest"
    ring = fill["geojson"]["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] != [115.97, 36.44] and abs(ring[0][0] - 115.97) < 0.01  # GCJ-02, not WGS-84
    assert fig["data"][ALERT_LABELS]["text"] == ["7", "6"]
    assert len(fig["data"][ALERT_RINGS]["lon"]) == 2
    assert fig["data"][ALERT_OUTLINES]["lon"].count(None) == 2
    assert "生成网格" in json.dumps(fig["layout"]["annotations"], ensure_ascii=False)
    assert "Noto Sans SC" in fig["data"][COUNTY_LABELS]["textfont"]["family"]


def test_a_tick_patches_only_z_never_the_geometry(gg_ctx: RenderContext) -> None:
    before = build_view(products(), Options(), gg_ctx)["map"]
    changed = products()
    changed[STATS]["per_grid"][1]["open"] = 2  # G2: 1件 → 2–3件
    after = build_view(changed, Options(), gg_ctx)["map"]
    old, new = fingerprint(before), fingerprint(after)
    assert [k for k in new if new[k] != old.get(k)] == [f"data.{GRID_FILL}.z"]
    patch = diff_panel(after, new, old)
    assert isinstance(patch, Patch)
    ops = json.dumps(patch.to_plotly_json(), ensure_ascii=False)
    assert "geojson" not in ops and '"z"' in ops
    assert diff_panel(after, new, copy.deepcopy(new)) is no_update


def test_map_without_event_data_draws_grids_but_claims_nothing(gg_ctx: RenderContext) -> None:
    only_grids = {GRIDS: products()[GRIDS], STATS: None, DETAIL: None}
    fig = build_view(only_grids, Options(), gg_ctx)["map"]
    assert fig["data"][GRID_FILL]["z"] == [None] * 4
    assert any(a["text"] == "暂无事件数据" for a in fig["layout"]["annotations"])
    assert len(fig["data"]) == N_TRACES


def test_summary_kpis_county_values_and_capped_alerts(gg_ctx: RenderContext) -> None:
    s = summarize(products(), Options(), gg_ctx)
    kpis = {k.key: k for k in s.kpis}
    assert kpis["open"].value == 14 and kpis["today"].value == 6
    assert kpis["closure_rate"].value == 95.0 and kpis["members_online"].unit == "/3人"
    assert s.county_values["open"]["371502"] == 8 and s.county_values["open"]["371525"] == 0
    assert set(s.county_values["open"]) == set(gg_ctx.geo.names)
    assert [a.level for a in s.alerts] == [3, 3]
    assert s.alerts[0].text == f"东昌府区 网格{G1} 办理中事件 7 件（超期 2），达告警线 6 件"
    assert s.alerts[1].text == f"阳谷县 网格{G4} 办理中事件 6 件，达告警线 6 件"
    capped = summarize(products(), Options(max_alerts=1), gg_ctx).alerts
    assert len(capped) == 2 and capped[1].text.startswith("另有 1 个网格达到告警线")
    assert summarize(products(), Options(open_alert=8), gg_ctx).alerts == ()


def test_detail_defaults_to_the_busiest_grid_and_lists_events_and_members() -> None:
    p = products()
    names = {"371502": "东昌府区", "371521": "阳谷县"}
    children, selected = grid_detail(None, p[STATS], p[DETAIL], Options(detail_rows=3), names)
    text = _text(children)
    assert selected["code"] == G1 and len(selected["members"]) == 2
    assert G1 in text and "默认：办理中最多" in text and "生成网格" in text
    assert "东昌府区 · 街道片区01 · 社区01 · 0.99 km²" in text
    assert "办理中 7 件 · 超期 2 · 今日上报 3 · 今日结案 1" in text
    rows = [c for c in children["props"]["children"] if "data-case" in c.get("props", {})]
    assert [r["props"]["data-case"] for r in rows] == ["WG0000", "WG0001", "WG0002"]
    assert "超期2时" in _text(rows[0]) and "另有 4 件办理中事件未列出" in text
    assert "网格员 2 人 · 在线 1 人" in text and "失联" in text  # M2's last report is 80 min old
    lon, lat, color, word = selected["members"][0]
    assert abs(lon - 115.975) < 0.01 and lon != 115.975 and word == "在线"


def test_detail_of_a_clicked_grid_and_of_bad_clicks() -> None:
    p = products()
    click = {"points": [{"location": G4, "z": 3, "curveNumber": 0}]}
    children, selected = grid_detail(clicked_code(click), p[STATS], p[DETAIL], Options(), {})
    text = _text(children)
    assert selected["code"] == G4 and "已选网格" in text and "离线" in text
    assert "上报" in text and "—" in text  # a just-reported event has no deadline yet
    for bad in (None, {}, {"points": []}, {"points": [{"location": "'; drop"}]}, {"points": [{"location": 5}]}):  # fmt: skip
        assert clicked_code(bad) is None
    assert grid_detail("37150299999999", p[STATS], p[DETAIL], Options(), {})[1]["code"] == G1
    stale, _ = grid_detail(G4, p[STATS], p[DETAIL], Options(), {}, stale="数据延迟（网格事件统计）")
    assert "数据延迟" in _text(stale)
    empty, sel = grid_detail(G4, None, None, Options(), {})
    assert sel is None and "暂无数据" in _text(empty)


def test_default_grid_and_limits() -> None:
    index = {G1: {}, G2: {}}
    assert (
        default_code({"per_grid": [_counts(G2, 3, 0, 0, 0), _counts(G1, 3, 0, 0, 0)]}, index) == G1
    )
    assert default_code({"per_grid": []}, index) == G1
    assert default_code(None, {}) is None
    from datetime import datetime

    now = datetime(2026, 11, 29, 14, 0)
    assert limit_text("处置", datetime(2026, 11, 29, 9, 0), now) == ("超期5时", "late")
    assert limit_text("处置", datetime(2026, 12, 2, 14, 0), now) == ("剩3天", "")
    assert limit_text("处置", datetime(2026, 11, 29, 14, 10), now) == ("剩1时", "")
    assert limit_text("缓办", datetime(2026, 11, 29, 9, 0), now) == ("缓办", "paused")
    assert limit_text("上报", None, now) == ("—", "")


@pytest.mark.parametrize(
    ("n", "band"),
    [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (6, 3), (7, 4), (10, 4), (11, 5), (99, 5)],
)
def test_band_of_default_edges(n: int, band: int) -> None:
    assert band_of(n, (1, 3, 6, 10)) == band


def test_band_labels_name_every_band() -> None:
    assert band_labels((1, 3, 6, 10)) == ["无", "1件", "2–3件", "4–6件", "7–10件", "≥11件"]
    assert band_labels((2,)) == ["无", "1–2件", "≥3件"]


def test_county_label_moves_only_off_a_ring(gg_ctx: RenderContext) -> None:
    x, y = gg_ctx.geo.label_points["371581"]
    moved = county_label_points(gg_ctx, [(x + 0.01, y + 0.005)], 8.3)
    assert moved["371581"][0] == x and moved["371581"][1] < y
    assert moved["371502"] == gg_ctx.geo.label_points["371502"]
    assert county_label_points(gg_ctx, [], 8.3) == dict(gg_ctx.geo.label_points)
