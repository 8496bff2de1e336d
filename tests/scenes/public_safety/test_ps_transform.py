"""The pure 公共安全 transform on a hand-made product set with exact expected values."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from scenes.base import RenderContext
from scenes.public_safety.options import Options
from scenes.public_safety.transform import ALARMS, AREAS, STATUS, build_view, summarize
from tests.scenes.public_safety.conftest import as_hub_sees

TODAY = [2, 1, 1, 0, 0, 1, 3, 5, 8, 10, 12, 12, 10, 30, 5]  # hours 0-14, total 100
CATS = {"刑事": 8, "治安": 20, "交通": 30, "纠纷": 20, "求助": 15, "火灾": 2, "其他": 5}


def _products() -> dict[str, Any]:
    hourly = [
        {"hour": f"2026-11-{d:02d} {h:02d}", "n": 10} for d in range(22, 29) for h in range(24)
    ]
    hourly += [{"hour": f"2026-11-29 {h:02d}", "n": n} for h, n in enumerate(TODAY)]
    daily = [{"day": f"2026-11-{d:02d}", "category": "交通", "n": 240} for d in range(23, 29)]
    daily += [{"day": "2026-11-29", "category": c, "n": n} for c, n in CATS.items()]
    areas = [
        {
            "area_id": "KA04",
            "name": "聊城站",
            "kind": "车站",
            "lon": 115.944,
            "lat": 36.447,
            "county": "371502",
            "capacity": 6000,
        },  # fmt: skip
        {
            "area_id": "KA01",
            "name": "光岳楼",
            "kind": "景区",
            "lon": 115.9883,
            "lat": 36.4517,
            "county": "371502",
            "capacity": 2500,
        },  # fmt: skip
        {
            "area_id": "KA08",
            "name": "临清运河钞关",
            "kind": "景区",
            "lon": 115.71,
            "lat": 36.842,
            "county": "371581",
            "capacity": 3000,
        },  # fmt: skip
        {
            "area_id": "KA99",
            "name": "新区广场",
            "kind": "广场",
            "lon": 116.0,
            "lat": 36.5,
            "county": "371502",
            "capacity": 1000,
        },  # fmt: skip
    ]
    ts = "2026-11-29T14:20:00"
    return as_hub_sees(
        {
            ALARMS: {
                "now": "2026-11-29T14:20:00",
                "cell_deg": 0.02,
                "hourly": hourly,
                "daily": daily,
                "county_hourly": [
                    {"hour": "2026-11-29 13", "county": "371502", "n": 20},
                    {"hour": "2026-11-29 13", "county": "371503", "n": 10},
                    {"hour": "2026-11-29 10", "county": "371521", "n": 70},
                ],
                "yesterday_same_time": 120,
                "grid": [{"gx": 5799, "gy": 1822, "n": 9}, {"gx": 5800, "gy": 1822, "n": 1}],
                "density_hours": 24,
            },
            AREAS: {
                "now": ts,
                "areas": areas,
                "latest": [
                    {"area_id": "KA04", "ts": ts, "count": 6300},
                    {"area_id": "KA01", "ts": ts, "count": 2000},
                    {"area_id": "KA08", "ts": ts, "count": 600},
                ],
            },
            STATUS: {
                "now": ts,
                "cameras": [
                    {"county": "371502", "ts": ts, "total": 3200, "online": 3100},
                    {"county": "371525", "ts": ts, "total": 1300, "online": 1140},
                ],
                "cases": [
                    {"county": "371502", "registered": 100, "solved": 62},
                    {"county": "371503", "registered": 50, "solved": 30},
                ],
                "case_days": 30,
            },
        }
    )


def _texts(node: Any) -> list[str]:
    """Every string in a JSON-ready component tree, in order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [t for n in node for t in _texts(n)]
    if isinstance(node, dict):
        return _texts(node.get("props", {}).get("children")) if "props" in node else []
    return [str(node)] if isinstance(node, int | float) else []


def test_summary_kpis_county_values_and_alerts(ps_ctx: RenderContext) -> None:
    s = summarize(_products(), Options(), ps_ctx)
    assert [(k.key, k.value, k.unit, k.note) for k in s.kpis] == [
        ("alarms_today", 100, "起", "较昨日同时 ↓20"),
        ("areas_over", 2, "/3处", "最高 聊城站 105%"),
        ("camera_online", 94.2, "%", "在线 4,240/4,500 路"),
    ]
    assert s.county_values["alarms"] == {
        "371502": 20, "371503": 10, "371521": 70, "371522": 0,
        "371524": 0, "371525": 0, "371526": 0, "371581": 0,
    }  # fmt: skip
    assert [(a.level, a.text, a.at) for a in s.alerts] == [
        (2, "东昌府区聊城站 客流 6,300 人，核定容量 6,000 人，负载 105%，超过超限线 100%", "14:20"),
        (3, "冠县 视频在线率 87.7%（在线 1,140/1,300 路），低于 90%", ""),
        (3, "全市 13时 警情 30 起，为前7日同时段均值 10.0 起的 3.0 倍，主要在东昌府区", "13:00"),
        (3, "东昌府区光岳楼 客流 2,000 人，核定容量 2,500 人，负载 80%，达到预警线 80%", "14:20"),
    ]
    orjson.dumps(s.as_dict())


def test_thresholds_come_from_options(ps_ctx: RenderContext) -> None:
    strict = Options(warn_ratio=0.15, over_ratio=0.8, spike_k=4, camera_alert_below=80)
    alerts = summarize(_products(), strict, ps_ctx).alerts
    assert [a.level for a in alerts] == [2, 2, 3]  # 聊城站 and 光岳楼 超限, 钞关 20 % 预警
    assert not any("警情" in a.text or "视频" in a.text for a in alerts)
    assert summarize(_products(), Options(max_alerts=1), ps_ctx).alerts[-1].text == (
        "另有 3 条公共安全告警，详见公共安全场景"
    )


def test_kpi_strip_and_area_list(ps_ctx: RenderContext) -> None:
    view = build_view(_products(), Options(), ps_ctx)
    kpis = _texts(view["kpis"])
    for text in ("100", "较昨日同时 ↓20", "8.0", "刑事 8 起", "超限 1 · 预警 1", "94.2", "4,240/4,500路", "61.3", "近30日 破92/立150"):  # fmt: skip
        assert text in kpis, text
    rows = _texts(view["areas"])
    names = [t for t in rows if t in ("聊城站", "光岳楼", "临清运河钞关", "新区广场")]
    assert names == ["聊城站", "光岳楼", "临清运河钞关", "新区广场"]  # by load, no data last
    for text in ("6,300/6,000", "105%", "超限", "2,000/2,500", "80%", "预警", "正常", "无数据"):
        assert text in rows, text


def test_charts(ps_ctx: RenderContext) -> None:
    view = build_view(_products(), Options(), ps_ctx)
    yesterday, today = view["hourly"]["data"]
    assert today["y"] == TODAY and yesterday["y"] == [10] * 24
    bars = view["categories"]["data"][0]
    assert bars["x"] == list(CATS) and bars["y"] == list(CATS.values())
    daily = view["daily"]["data"]
    assert daily[-1]["text"] == ["240"] * 6 + ["100"] and daily[-1]["x"][-1] == "11/29"
    cams = view["cameras"]["data"][0]
    assert cams["y"] == ["冠县 87.7%", "东昌府区 96.9%"] and cams["marker"]["color"][0] == "#ffb443"


def test_density_cells_and_area_markers(ps_ctx: RenderContext) -> None:
    view = build_view(_products(), Options(), ps_ctx)
    cells = next(t for t in view["map"]["data"] if t["type"] == "choroplethmap" and t.get("z") == [4, 0])  # fmt: skip
    assert cells["locations"] == ["5799_1822", "5800_1822"]
    assert len(cells["geojson"]["features"]) == 2
    city_text = [x for t in view["map"]["data"] for x in (t.get("text") or [])]
    assert "临清运河钞关 20%" in city_text and not any("光岳楼" in x for x in city_text)
    core_text = [x for t in view["core_map"]["data"] for x in (t.get("text") or [])]
    assert {"光岳楼 80% 预警", "聊城站 105% 超限"} <= set(core_text)
    legend = " ".join(a["text"] for a in view["map"]["layout"]["annotations"])
    assert "1起" in legend and "3–4起" in legend and "≥8起" in legend and "超限" in legend


def test_categories_fold_into_other(ps_ctx: RenderContext) -> None:
    view = build_view(_products(), Options(alarm_categories=("刑事", "交通")), ps_ctx)
    bars = view["categories"]["data"][0]
    assert bars["x"] == ["刑事", "交通", "其他"] and bars["y"] == [8, 30, 62]


def test_options_refuse_unknown_categories_and_bad_thresholds() -> None:
    with pytest.raises(ValueError, match="alarm_categories"):
        Options(alarm_categories=("刑事", "诈骗"))
    with pytest.raises(ValueError, match="warn_ratio"):
        Options(warn_ratio=1.0, over_ratio=0.9)
    with pytest.raises(ValueError, match="density_bands"):
        Options(density_bands=(3, 2))


def test_no_data_gives_explicit_empty_states(ps_ctx: RenderContext) -> None:
    view = build_view({ALARMS: None, AREAS: None, STATUS: None}, Options(), ps_ctx)
    for name in ("map", "core_map", "hourly", "daily", "categories", "cameras"):
        texts = [a["text"] for a in view[name]["layout"].get("annotations", [])]
        assert "暂无数据" in texts, name
    assert _texts(view["areas"]) == ["暂无数据"] and _texts(view["kpis"]) == ["暂无数据"]
    summary = summarize({}, Options(), ps_ctx)
    assert summary.kpis == () and summary.alerts == () and summary.county_values == {}
