"""The overview's pure transform: fair KPI sharing, per-indicator maps, status and empty states."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from scenes.base import Alert, CountyIndicator, Kpi, RenderContext, SceneSummary
from scenes.overview.options import Options
from scenes.overview.transform import build_view, pick_kpis
from scenes.render import map_style
from wall.geo import load_geo
from wall.live import DEFAULT_VARIANT

GEO = load_geo(
    Path("data/geo/liaocheng_counties.geojson"),
    name_field="name",
    code_field="adcode",
    center=(115.98, 36.45),
    zoom=8,
    tolerance=0.002,
)


def kpis(prefix: str, n: int) -> tuple[Kpi, ...]:
    return tuple(Kpi(f"{prefix}{i}", f"{prefix}{i}", i) for i in range(n))


def ctx(summaries: dict, products: dict | None = None) -> RenderContext:
    return RenderContext(
        city_name="聊城市",
        geo=GEO,
        map_style=map_style("#07182b"),
        now=datetime(2026, 11, 29, 10),
        summaries=summaries,
        scene_titles={"overview": "总览", "a": "甲", "b": "乙"},
        indicators={
            "a.aqi": CountyIndicator(
                "aqi", "AQI", bands=((50, "#00e400"), (500, "#7e0023")), zmax=500
            )
        },
        products=products or {},
    )


def test_pick_kpis_shares_tiles_between_scenes_and_keeps_scene_order() -> None:
    summaries = {"a": SceneSummary(kpis=kpis("a", 10)), "b": SceneSummary(kpis=kpis("b", 3))}
    picked = [k.key for _, k in pick_kpis(summaries, 8)]
    # 8 // 2 = 4 each first: a0..a3 and b0..b2, then one more from a.
    assert picked == ["a0", "a1", "a2", "a3", "a4", "b0", "b1", "b2"]


def test_pick_kpis_with_nothing_is_empty() -> None:
    assert pick_kpis({"a": SceneSummary()}, 12) == []


def test_build_view_has_a_map_per_indicator_and_a_default() -> None:
    values = {"371502": 120.0, "371503": 80.0}
    summaries = {"a": SceneSummary(kpis=kpis("a", 2), county_values={"aqi": values})}
    view = build_view({}, Options(), ctx(summaries))
    assert set(view["map"]) == {"a.aqi", DEFAULT_VARIANT}
    fill = view["map"]["a.aqi"]["data"][0]
    assert dict(zip(fill["locations"], fill["z"], strict=True))["371502"] == 120.0
    assert view["map"][DEFAULT_VARIANT] == view["map"]["a.aqi"]


def test_alerts_sorted_by_level_and_empty_states_are_explicit() -> None:
    alerts = (Alert("a", 3, "三级事件"), Alert("a", 1, "一级事件"))
    view = build_view({}, Options(), ctx({"a": SceneSummary(alerts=alerts)}))
    rows = view["alerts"]["props"]["children"]
    texts = [r["props"]["children"][1]["props"]["children"] for r in rows]
    assert texts == ["一级事件", "三级事件"]
    empty = build_view({}, Options(), ctx({}))
    assert empty["kpis"]["props"]["children"] == "暂无数据"
    assert empty["alerts"]["props"]["children"] == "当前无告警"


def test_status_lists_failing_products_first_with_their_since_time() -> None:
    products = {
        "p1": {"label": "空气", "ok": True, "as_of": "2026-11-29T10:01:05", "failing_since": None},
        "p2": {
            "label": "水质",
            "ok": False,
            "as_of": "2026-11-29T09:00:00",
            "failing_since": "2026-11-29T09:30:10",
        },
    }
    view = build_view({}, Options(), ctx({}, products))
    body = view["status"]["props"]["children"][1]["props"]["children"]
    cells = [[c["props"]["children"] for c in row["props"]["children"]] for row in body]
    assert cells[0][0] == "水质" and cells[0][1]["props"]["children"] == "延迟"
    assert cells[0][2] == "09:00（自09:30）"
    assert cells[1][0] == "空气" and cells[1][2] == "10:01"
