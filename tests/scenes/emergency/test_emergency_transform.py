"""The pure 应急管理 transform: exact KPIs, county risk, alerts, variants, distances, map layers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pyproj import Geod

from indicators.coords import wgs84_to_gcj02
from scenes.base import RenderContext
from scenes.emergency import SCENE
from scenes.emergency.callbacks import toggle_js
from scenes.emergency.detail import nearby_rows
from scenes.emergency.mapfig import LAYERS, N_TRACES
from scenes.emergency.options import Options
from scenes.emergency.transform import EVENTS, SITES, state_of
from tests.scenes.emergency.conftest import hub_json

E1 = {"event_id": "E1", "type": "事故灾难", "subtype": "危化品泄漏", "grade": "II", "place": "高新区化工园",
      "county": "371502", "lon": 116.05, "lat": 36.46, "started_at": "2026-11-29T15:00:00",
      "status": "处置中", "deaths": 12, "serious_injuries": 3, "direct_loss": 2_000_000.0}  # fmt: skip
E2 = E1 | {"event_id": "E2", "type": "自然灾害", "subtype": "河道洪水险情", "grade": "IV",
           "place": "东阿县乡镇", "county": "371524", "lon": 116.2, "lat": 36.3,
           "deaths": None, "serious_injuries": None, "direct_loss": None}  # fmt: skip
E3 = E2 | {
    "event_id": "E3",
    "type": "公共卫生事件",
    "subtype": "食物中毒",
    "grade": "III",
    "status": "已结束",
}
LOG = [
    {
        "event_id": "E1",
        "ts": "2026-11-29T15:00:00",
        "stage": "接报",
        "text": "接报：高新区化工园发生危化品泄漏",
    },
    {
        "event_id": "E1",
        "ts": "2026-11-29T15:15:00",
        "stage": "响应启动",
        "text": "市应急管理局启动Ⅱ级应急响应",
    },
    {
        "event_id": "E1",
        "ts": "2026-11-29T15:40:00",
        "stage": "力量到场",
        "text": "危化品救援队到场",
    },
]


def warning(
    wid: str, kind: str, colour: str, county: str, issued: str, expires: str
) -> dict[str, Any]:
    return {"warning_id": wid, "type": kind, "colour": colour, "county": county,
            "issued_at": f"2026-11-29T{issued}", "expires_at": expires}  # fmt: skip


WARNINGS = [
    warning("W1", "大雾", "橙", "371502", "06:00:00", "2026-11-29T20:00:00"),
    warning("W2", "大雾", "橙", "371503", "06:00:00", "2026-11-29T20:00:00"),
    warning("W3", "寒潮", "蓝", "371581", "08:00:00", "2026-11-30T08:00:00"),
    warning("W4", "干旱", "蓝", "371522", "08:00:00", "2026-11-30T08:00:00"),  # not in the table
    warning("W5", "暴雨", "红", "371521", "06:00:00", "2026-11-29T12:00:00"),  # expired
]


def site(sid: str, kind: str, lon: float, lat: float, **kw: Any) -> dict[str, Any]:
    return {"kind": kind, "name": f"{sid}名称", "county": "371502", "lon": lon, "lat": lat} | kw


SITES_DATA = {
    "resources": [
        site("S1", "shelter", 116.06, 36.46, resource_id="S1", capacity=5000, occupied=1000),
        site("S2", "shelter", 115.5, 36.8, resource_id="S2", capacity=3000, occupied=None),
        site("T1", "rescue_team", 116.03, 36.45, resource_id="T1", capacity=40, occupied=None),
        site("T2", "rescue_team", 115.98, 36.45, resource_id="T2", capacity=60, occupied=None),
        site("D1", "depot", 116.0, 36.40, resource_id="D1", capacity=9000, occupied=None),
    ],
    "risks": [site("R1", "危化品企业", 116.06, 36.47, source_id="R1", risk_level=1)],
    "sensors": [
        site("G1", "燃气浓度", 115.99, 36.45, sensor_id="G1", unit="%LEL", threshold=20.0),
        site("L1", "河道水位", 116.1, 36.4, sensor_id="L1", unit="m", threshold=31.5),
    ],
    "readings": [
        {"sensor_id": "G1", "ts": "2026-11-29T17:44:00", "value": 25.0},
        {"sensor_id": "L1", "ts": "2026-11-29T17:44:00", "value": 30.0},
    ],
}


@pytest.fixture
def products() -> dict[str, Any]:
    events = {
        "events": [E1, E2, E3],
        "log": LOG,
        "warnings": WARNINGS,
        "as_of": "2026-11-29T17:44:09",
    }
    return {EVENTS: hub_json(events), SITES: hub_json(SITES_DATA)}


def text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_summary_kpis_are_exact(products: dict, emg_ctx: RenderContext) -> None:
    s = SCENE.summarize(products, Options(), emg_ctx)
    kpis = {k.key: (k.value, k.unit, k.level_color, k.note) for k in s.kpis}
    assert kpis == {
        "events": (2, "起", "#FF7E00", "最高 重大（Ⅱ级）"),
        "warnings": (2, "种", "#FF7E00", "最高 橙色预警"),
        "sensors_over": (1, "/2", None, "物联感知点"),
        "shelter_free": ("7000", "人", None, "总容量 8000人"),
    }


def test_county_risk_counts_events_and_warnings(products: dict, emg_ctx: RenderContext) -> None:
    s = SCENE.summarize(products, Options(), emg_ctx)
    assert s.county_values["risk"] == {
        "371502": 2, "371503": 1, "371521": 0, "371522": 0,
        "371524": 1, "371525": 0, "371526": 0, "371581": 1,
    }  # fmt: skip


def test_alerts_say_what_where_and_how_bad(products: dict, emg_ctx: RenderContext) -> None:
    alerts = SCENE.summarize(products, Options(), emg_ctx).alerts
    assert [(a.level, a.text) for a in alerts] == [
        (2, "东昌府区、茌平区 大雾橙色预警生效（严重）"),
        (2, "重大（Ⅱ级）事故灾难：东昌府区 高新区化工园 危化品泄漏，处置中"),
        (3, "东昌府区 G1名称 燃气浓度 25%LEL，超过阈值 20%LEL"),
    ]


def test_red_warning_and_grade_i_are_level_1(products: dict, emg_ctx: RenderContext) -> None:
    products[EVENTS]["events"][0]["grade"] = "I"
    products[EVENTS]["warnings"][0]["colour"] = "红"
    alerts = SCENE.summarize(products, Options(), emg_ctx).alerts
    assert [a.level for a in alerts] == [1, 1, 2, 3]
    assert alerts[0].text == "东昌府区 大雾红色预警生效（特别严重）"


def test_warning_colour_table_is_configurable(products: dict, emg_ctx: RenderContext) -> None:
    view = SCENE.build_view(products, Options(), emg_ctx)
    assert "1 条信号级别不符合配置，未显示" in text(view["warnings"])
    assert "干旱蓝色预警" not in text(view["warnings"])
    wide = dict(Options().warning_levels) | {"干旱": ("蓝", "橙", "红")}
    view = SCENE.build_view(products, Options(warning_levels=wide), emg_ctx)
    assert "干旱蓝色预警" in text(view["warnings"]) and "不符合配置" not in text(view["warnings"])


def test_variants_per_active_event_default_most_severe(
    products: dict, emg_ctx: RenderContext
) -> None:
    view = SCENE.build_view(products, Options(), emg_ctx)
    assert set(view["event_timeline"]) == {"_default", "E1", "E2"}
    assert view["event_timeline"]["_default"] == view["event_timeline"]["E1"]
    assert view["event_nearby"]["_default"] == view["event_nearby"]["E1"]
    timeline = text(view["event_timeline"]["E1"])
    assert (
        "15:15 响应启动" in timeline
        and "重大（Ⅱ级）" in timeline
        and "已持续 2小时44分" in timeline
    )
    assert "死亡12人，重伤3人，损失200万元" in timeline
    picker = text(view["event_picker"])
    assert '"label": "重大 危化品泄漏", "value": "E1"' in picker and "E3" not in picker


def test_nearby_distances_are_real_metres(products: dict, emg_ctx: RenderContext) -> None:
    state = state_of(products, Options(shelter_radius_km=5), emg_ctx)
    rows = nearby_rows(state.events[0], state, Options(shelter_radius_km=5))
    assert [(r[0], r[1]) for r in rows] == [
        ("队伍", "T1名称"), ("队伍", "T2名称"), ("物资", "D1名称"), ("避难", "S1名称"),
    ]  # fmt: skip
    geod = Geod(ellps="WGS84")
    for (_, name, km, _), (lon, lat) in zip(
        rows, [(116.03, 36.45), (115.98, 36.45), (116.0, 36.40), (116.06, 36.46)], strict=True
    ):
        true_km = geod.inv(116.05, 36.46, lon, lat)[2] / 1000
        assert km == pytest.approx(true_km, rel=2e-3), name  # UTM 50N scale error < 0.2 %
    assert rows[-1][3] == "空4000人"


def test_map_layers_have_fixed_traces_and_gcj02_points(
    products: dict, emg_ctx: RenderContext
) -> None:
    fig = SCENE.build_view(products, Options(), emg_ctx)["map"]
    assert len(fig["data"]) == N_TRACES
    assert all("visible" not in t for t in fig["data"])  # the toggles own `visible`
    events = fig["data"][LAYERS["event"][1]]
    assert events["text"] == ["重大 危化品泄漏", "一般 河道洪水险情"]
    x, y = wgs84_to_gcj02(116.05, 36.46)
    assert (events["lon"][0], events["lat"][0]) == (round(x, 5), round(y, 5))
    over = fig["data"][LAYERS["sensor"][1]]
    assert over["text"] == ["超限 25%LEL"]


def test_toggle_js_knows_the_layers() -> None:
    js = toggle_js(SCENE.ids)
    assert json.dumps(LAYERS) in js and '"part": "map"' in js and "set_props" in js


def test_empty_products_give_explicit_empty_states(emg_ctx: RenderContext) -> None:
    view = SCENE.build_view({EVENTS: None, SITES: None}, Options(), emg_ctx)
    assert "暂无数据" in text(view["kpis"]) and "暂无数据" in text(view["map"])
    no_events = {EVENTS: {"events": [], "log": [], "warnings": []}, SITES: None}
    view = SCENE.build_view(no_events, Options(), emg_ctx)
    assert "暂无处置中事件" in text(view["event_picker"])
    assert "当前无生效预警信号" in text(view["warnings"])
    assert SCENE.summarize({EVENTS: None, SITES: None}, Options(), emg_ctx).kpis == ()
