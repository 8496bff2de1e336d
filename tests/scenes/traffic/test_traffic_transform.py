"""The 交通运行 transform on hand-made products with exact expected values."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from dash.exceptions import PreventUpdate

from indicators.traffic import GRADE_COLORS, network_dtp, network_tti
from scenes.base import RenderContext
from scenes.traffic import SCENE
from scenes.traffic.callbacks import road_from_click
from scenes.traffic.mapfig import grid_counts
from scenes.traffic.network import build_state
from scenes.traffic.options import Options
from scenes.traffic.transform import build_view, summarize

NOW = datetime(2026, 11, 27, 17, 44, 5)


def seg(sid: str, road: str, setting: str, county: str, length: float, vf: float) -> dict:
    x = 115.98 if setting == "urban" else 116.2
    return {
        "segment_id": sid,
        "road": road,
        "road_class": "主干路",
        "setting": setting,
        "county": county,
        "seq": 1,
        "length_m": length,
        "free_flow_kmh": vf,
        "path": [[x, 36.45], [x + 0.01, 36.45]],
    }


PRODUCTS: dict[str, Any] = {
    "traffic_net": {
        "day": "2026-11-27T00:00:00",
        "segments": [
            seg("U01-001", "东昌路", "urban", "371502", 1000, 50),
            seg("U01-002", "东昌路", "urban", "371502", 3000, 50),
            seg("G1-001", "G309国道", "intercity", "371503", 2000, 80),
        ],
        "urban": {
            "today": [["2026-11-27T17:00:00", 500.0, 4000.0, 175000.0]],
            "last_week": [["2026-11-20T17:00:00", 1200.0, 4000.0, 100000.0]],
        },
        "all": {
            "today": [["2026-11-27T17:00:00", 2000.0, 6000.0, 215000.0]],
            "last_week": [],
        },
        "roads": {"东昌路": [["2026-11-27T17:00:00", 43.8], ["2026-11-27T17:05:00", 41.2]]},
    },
    "traffic_live": {
        "speeds": [
            {"segment_id": "U01-001", "ts": "2026-11-27T17:44:00", "speed_kmh": 25.0},
            {"segment_id": "U01-002", "ts": "2026-11-27T17:44:00", "speed_kmh": 50.0},
            {"segment_id": "G1-001", "ts": "2026-11-27T17:43:00", "speed_kmh": 20.0},
        ],
        "incidents": [
            {"incident_id": "TI1", "kind": "accident", "segment_id": "U01-001", "ts": "2026-11-27T17:00:00", "end_ts": None, "lon": 115.98, "lat": 36.45, "description": "东昌路 两车追尾，占用一条车道"},
            {"incident_id": "TI2", "kind": "closure", "segment_id": "G1-001", "ts": "2026-11-27T08:00:00", "end_ts": "2026-11-27T09:30:00", "lon": 116.2, "lat": 36.45, "description": "G309国道 临时交通管制，道路封闭"},
            {"incident_id": "TI3", "kind": "construction", "segment_id": "U01-002", "ts": "2026-11-27T09:00:00", "end_ts": "2026-11-27T18:00:00", "lon": 115.99, "lat": 36.45, "description": "东昌路 道路施工，半幅通行"},
        ],
        "vehicles": {"bus": [[115.98, 36.45], [115.981, 36.451]], "taxi": [[115.99, 36.46]]},
    },
}  # fmt: skip


@pytest.fixture
def ctx(traffic_ctx: RenderContext) -> RenderContext:
    return traffic_ctx


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def state(options: Options) -> Any:
    return build_state(
        PRODUCTS["traffic_net"],
        PRODUCTS["traffic_live"],
        bands=options.tpi_dtp_edges,
        scope=options.network,
        congested=options.congested_grades,
        now=NOW,
    )


def test_urban_network_indices_are_exact() -> None:
    st = state(Options())
    net = st.network
    # DTP (1000·0.5 + 3000·0) / 4000 = 0.125 -> TPI 0.125/0.3·2 = 0.83 -> 0.8 畅通
    assert net.dtp == 0.125 and net.tpi == 0.8 and net.level == "畅通"
    assert net.tti == 1.25  # (1000·2 + 3000·1) / 4000
    assert net.speed_kmh == 43.75
    assert net.shares == {
        "畅通": 0.75,
        "基本畅通": 0.0,
        "轻度拥堵": 0.25,
        "中度拥堵": 0.0,
        "严重拥堵": 0.0,
    }
    assert net.congested == 0.0 and net.km == 4.0
    assert [s.grade for s in st.segments] == ["轻度拥堵", "畅通", "严重拥堵"]


def test_all_roads_scope_and_agreement_with_indicators() -> None:
    st = state(Options(network="all"))
    net = st.network
    readings = [(s.length_m, s.speed_kmh, s.free_flow_kmh) for s in st.segments]
    assert net.dtp == pytest.approx(network_dtp(readings), abs=1e-12)
    assert net.tti == pytest.approx(network_tti(readings), abs=1e-12)
    assert net.tpi == 2.3 and net.level == "基本畅通"  # DTP 1/3 -> 2 + (1/30)/0.2·2
    assert net.congested == pytest.approx(1 / 3)


def test_counties_roads_and_curves() -> None:
    st = state(Options())
    assert {c: i.tpi for c, i in st.counties.items()} == {"371502": 0.8, "371503": 8.3}
    assert st.counties["371503"].level == "严重拥堵"
    assert [r.road for r in st.roads] == ["G309国道", "东昌路"]
    assert st.today == ((datetime(2026, 11, 27, 17), 0.8),)
    # last week's 0.3 DTP is drawn on today's axis, 7 days later
    assert st.last_week == ((datetime(2026, 11, 27, 17), 2.0),)
    assert st.road_free_flow == {"东昌路": 50.0, "G309国道": 80.0}
    assert [(i.incident_id, i.active) for i in st.incidents] == [
        ("TI1", True),
        ("TI3", True),
        ("TI2", False),
    ]


def test_summary_kpis_county_values_and_alerts(ctx: RenderContext) -> None:
    summary = summarize(PRODUCTS, Options(), ctx)
    kpis = {k.key: k for k in summary.kpis}
    assert kpis["tpi"].value == 0.8 and kpis["tpi"].level_color == GRADE_COLORS["畅通"]
    assert kpis["tpi"].note == "畅通"
    assert kpis["congested"].value == 0.0 and kpis["congested"].unit == "%"
    assert kpis["incidents"].value == 2 and kpis["incidents"].note == "事故1 施工1 封闭0"
    assert summary.county_values == {"tpi": {"371502": 0.8, "371503": 8.3}}
    assert [a.text for a in summary.alerts] == [
        "东昌路 发生交通事故（17:00起），两车追尾，占用一条车道"
    ]
    assert summary.alerts[0].level == 3 and summary.alerts[0].at == "17:00"


def test_tpi_alert_levels(ctx: RenderContext) -> None:
    warn = summarize(PRODUCTS, Options(network="all", tpi_alert=2.0, tpi_severe_alert=9.0), ctx)
    first = warn.alerts[0]
    assert (first.level, first.text) == (
        3,
        "全市路网交通运行指数 2.3（基本畅通），拥堵里程占比 33%",
    )
    severe = summarize(PRODUCTS, Options(network="all", tpi_alert=2.0, tpi_severe_alert=2.3), ctx)
    assert severe.alerts[0].level == 2
    capped = summarize(PRODUCTS, Options(network="all", tpi_alert=2.0, max_alerts=1), ctx)
    assert [a.text for a in capped.alerts][-1] == "另有 1 条交通告警，详见交通运行场景"


def test_view_panels(ctx: RenderContext) -> None:
    view = build_view(PRODUCTS, Options(), ctx)
    assert set(view) == {p.name for p in SCENE.panels}
    kpis = text_of(view["kpis"])
    for text in ("0.8", "畅通", "1.25", "12.5", "44", "km/h", "事故1 施工1", "较上周同时 ↓1.2"):
        assert text in kpis, text
    incidents = text_of(view["incidents"])
    assert incidents.index("事故") < incidents.index("施工") < incidents.index("封闭")
    assert "处置中·预计18:00" in incidents and "已结束 09:30" in incidents
    shares = view["shares"]["data"][0]
    assert shares["x"] == ["畅通", "基本畅通", "轻度拥堵", "中度拥堵", "严重拥堵"]
    assert shares["y"] == [75.0, 0.0, 25.0, 0.0, 0.0]
    ranking = view["ranking"]["data"][0]
    assert ranking["y"] == ["1. G309国道", "2. 东昌路"]
    assert ranking["text"][0] == "8.3 严重拥堵 · 20km/h"


def test_map_traces_grades_vehicles_and_clicks(ctx: RenderContext) -> None:
    fig = build_view(PRODUCTS, Options(), ctx)["map"]
    data = fig["data"]
    assert (
        len(data) == 12
    )  # fixed: boundaries, 2 vehicle layers, 6 grades, labels, 2 incident layers
    grades = {t["name"]: t for t in data[3:9]}
    assert list(grades) == ["畅通", "基本畅通", "轻度拥堵", "中度拥堵", "严重拥堵", "无数据"]
    assert grades["严重拥堵"]["customdata"] == [
        ["G1-001", "G309国道"],
        ["G1-001", "G309国道"],
        None,
    ]
    assert grades["畅通"]["line"]["color"] == GRADE_COLORS["畅通"]
    bus = data[1]
    assert len(bus["lon"]) == 2 and bus["lon"][0] > 115.984  # WGS-84 shifted ~500 m east (GCJ-02)
    incidents = data[11]
    assert incidents["text"] == ["事故·东昌路", "施工·东昌路"]
    legend = fig["layout"]["annotations"][0]["text"]
    assert "严重拥堵 ≤30%" in legend and "公交 2辆" in legend and "交通事件 2起" in legend
    click = {"points": [{"customdata": grades["严重拥堵"]["customdata"][0]}]}
    assert road_from_click(click) == "G309国道"
    for bad in (None, {"points": [{}]}, {"points": [{"customdata": None}]}):
        with pytest.raises(PreventUpdate):
            road_from_click(bad)


def test_many_vehicles_become_grid_counts(ctx: RenderContext) -> None:
    data = build_view(PRODUCTS, Options(max_points=2), ctx)["map"]["data"]
    cells, labels = data[1], data[9]
    assert sorted(labels["text"], key=int) == ["1", "2"]  # two buses share a cell, the taxi not
    assert len(cells["lon"]) == 2 and data[2]["lon"] == []
    lon, lat, n = grid_counts(
        __import__("numpy").array([[0.001, 0.001], [0.002, 0.0], [0.02, 0.0]]), 0.01
    )
    assert (
        n.tolist() == [2, 1] and lon.tolist() == [0.005, 0.025] and lat.tolist() == [0.005, 0.005]
    )


def test_road_speed_variants(ctx: RenderContext) -> None:
    variants = build_view(PRODUCTS, Options(), ctx)["road_speed"]
    assert set(variants) == {"_default", "东昌路"}
    default = variants["_default"]
    assert default["data"][0]["y"] == [43.8, 41.2]
    assert "最拥堵：东昌路 · 点击道路查看速度曲线" in text_of(default)
    assert "自由流 50" in text_of(variants["东昌路"])
    assert "template" not in default["layout"]  # one figure per road: keep each small


def test_no_data_states(ctx: RenderContext) -> None:
    view = build_view({"traffic_net": None, "traffic_live": None}, Options(), ctx)
    assert "暂无数据" in text_of(view["map"]) and "暂无" in text_of(view["kpis"])
    assert "今日暂无交通事件" in text_of(view["incidents"])
    assert "点击道路查看速度曲线" in text_of(view["road_speed"]["_default"])
    summary = summarize({}, Options(), ctx)
    assert summary.kpis == () and summary.alerts == () and summary.county_values == {}
