"""The pure transform: explicit empty states, AQI exactly per indicators.aqi, alerts, layout."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

import orjson
import pytest
from dash import dcc, html

from indicators.aqi import compute_aqi
from indicators.coords import wgs84_to_gcj02
from scenes.base import RenderContext
from scenes.environment import SCENE
from scenes.environment.options import Options
from scenes.render import EMPTY_TEXT

POLLUTANTS = ("so2", "no2", "co", "o3", "pm10", "pm25")
HOUR = datetime(2026, 11, 29, 17)


def text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def synthetic(
    pm25: float = 70.0, *, hours: int = 3, at: datetime = HOUR, **extra: Any
) -> dict[str, Any]:
    """Two stations in two counties, `hours` hours of identical readings ending at `at`."""
    stations = [
        {
            "station_id": "A1",
            "name": "东昌府区·古楼",
            "county": "371502",
            "lon": 115.98,
            "lat": 36.45,
        },
        {"station_id": "B1", "name": "莘县·燕塔", "county": "371522", "lon": 115.67, "lat": 36.23},
    ]
    base = {"so2": 10, "no2": 30, "co": 0.8, "o3": 40, "pm10": 80, "pm25": pm25} | extra
    readings = [
        {"station_id": s["station_id"], "ts": (at - timedelta(hours=h)).isoformat(), **base}
        for h in range(hours - 1, -1, -1)
        for s in stations
    ]
    return {
        "stations": stations,
        "readings": readings,
        "since": (at - timedelta(hours=48)).isoformat(),
    }


def water(do: float | None = 6.0, target: int = 3) -> dict[str, Any]:
    section = {
        "section_id": "W1",
        "name": "徒骇河·毕屯",
        "river": "徒骇河",
        "county": "371502",
        "lon": 116.0,
        "lat": 36.3,
        "target_class": target,
    }
    sample = {
        "section_id": "W1",
        "ts": HOUR.isoformat(),
        "do": do,
        "codmn": 5.0,
        "nh3n": 1.2,
        "tp": 0.15,
    }
    return {"sections": [section], "latest": [sample], "trend": [sample]}


def view(products: dict[str, Any], ctx: RenderContext, **opts: Any) -> dict[str, Any]:
    return SCENE.build_view(products, Options(**opts), ctx)


# ---- empty states ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "products",
    [
        {"env_air": None, "env_water": None},
        {},
        {"env_air": {"stations": [], "readings": []}, "env_water": {"sections": []}},
    ],
)
def test_no_data_gives_explicit_empty_panels(products: dict[str, Any], ctx: RenderContext) -> None:
    panels = SCENE.build_view(products, Options(), ctx)
    assert set(panels) == {p.name for p in SCENE.panels}
    for p in SCENE.panels:
        value = panels[p.name]
        assert EMPTY_TEXT in text(value), p.name
        if p.kind == "graph":
            assert value["data"] == [] and value["layout"]["xaxis"]["visible"] is False
    summary = SCENE.summarize(products, Options(), ctx)
    assert summary.kpis == () and summary.alerts == ()


def test_one_product_missing_still_renders_the_other(
    products: dict[str, Any], ctx: RenderContext
) -> None:
    panels = view({"env_air": products["env_air"], "env_water": None}, ctx)
    assert EMPTY_TEXT in text(panels["water"]) and "暂无水质数据" in text(panels["kpis"])
    assert panels["map"]["data"]
    panels = view({"env_air": None, "env_water": products["env_water"]}, ctx)
    assert panels["map"]["data"] == [] and "达标" in text(panels["water"])


# ---- simulated day end to end ----------------------------------------------------------------


def test_full_view_is_json_ready_and_declares_every_panel(
    products: dict[str, Any], ctx: RenderContext
) -> None:
    panels = view(products, ctx)
    assert set(panels) == {p.name for p in SCENE.panels}
    orjson.dumps(panels)
    for p in SCENE.panels:
        if p.kind == "graph":
            assert panels[p.name]["data"], p.name
        else:
            assert panels[p.name]["type"] in ("Div", "Table"), p.name


def test_city_aqi_is_computed_from_city_mean_concentrations(
    products: dict[str, Any], ctx: RenderContext
) -> None:
    air = products["env_air"]
    hour = max(r["ts"] for r in air["readings"])
    rows = [r for r in air["readings"] if r["ts"] == hour]
    means = {p: fmean(r[p] for r in rows if r[p] is not None) for p in POLLUTANTS}
    expected = compute_aqi(
        {f"{p}_1h": v for p, v in means.items()}, standard="HJ633-2026", period="hourly"
    )
    summary = SCENE.summarize(products, Options(), ctx)
    kpi = {k.key: k for k in summary.kpis}
    assert kpi["aqi"].value == expected.aqi and kpi["aqi"].level_color == expected.color_hex
    assert expected.category in kpi["aqi"].note  # colour is never the only carrier
    assert kpi["pm25"].value == round(means["pm25"])
    assert set(summary.county_values["aqi"]) == set(ctx.geo.names)
    assert set(summary.county_values["pm25"]) == set(ctx.geo.names)
    assert {"aqi", "pm25", "good_rate", "water_rate"} == set(kpi)


def test_station_ranking_is_best_first_and_capped(
    products: dict[str, Any], ctx: RenderContext
) -> None:
    bars = view(products, ctx, ranking_size=7)["station_rank"]["data"][0]
    assert len(bars["x"]) == 7 and bars["x"] == sorted(bars["x"])
    assert all(str(x) in t for x, t in zip(bars["x"], bars["text"], strict=True))
    assert bars["y"][0].startswith("1. ")


def test_map_draws_stations_in_gcj02_with_level_colours(
    products: dict[str, Any], ctx: RenderContext
) -> None:
    fig = view(products, ctx)["map"]
    assert [t["type"] for t in fig["data"]][:3] == ["choroplethmap", "scattermap", "scattermap"]
    first = products["env_air"]["stations"][0]
    lon, lat = wgs84_to_gcj02(first["lon"], first["lat"])
    assert fig["data"][2]["lon"][0] == pytest.approx(lon, abs=1e-5) and fig["data"][2]["lat"][
        0
    ] == pytest.approx(lat, abs=1e-5)
    assert (
        fig["layout"]["map"]["style"]["version"] == 8
        and "glyphs" not in fig["layout"]["map"]["style"]
    )
    labels = " ".join(t for tr in fig["data"][3:] for t in tr.get("text", []))
    assert all(name in labels for name in ctx.geo.names.values())


def test_trend_covers_the_configured_hours(products: dict[str, Any], ctx: RenderContext) -> None:
    fig = view(products, ctx, trend_hours=12)["trend"]
    assert [t.get("name") for t in fig["data"]] == ["AQI", "PM2.5", "O₃"]
    assert len(fig["data"][0]["x"]) == 12


def test_fonts_are_at_least_15px(products: dict[str, Any], ctx: RenderContext) -> None:
    def sizes(node: Any) -> list[float]:
        if isinstance(node, dict):
            own = (
                [node["size"]]
                if "size" in node
                and isinstance(node["size"], int | float)
                and ("family" in node or "color" in node)
                else []
            )
            return own + [s for k, v in node.items() if k != "marker" for s in sizes(v)]
        if isinstance(node, list):
            return [s for v in node for s in sizes(v)]
        return []

    panels = view(products, ctx)
    for name in ("map", "trend", "station_rank"):
        fig = panels[name]
        found = sizes(fig["layout"]) + sizes(
            [{k: v for k, v in t.items() if k != "marker"} for t in fig["data"]]
        )
        assert found and min(found) >= 15, (name, min(found))


# ---- exact AQI behaviour on synthetic data ---------------------------------------------------


def test_standard_option_switches_the_pm25_breakpoints(ctx: RenderContext) -> None:
    # PM2.5 70: HJ 633-2026 (60 -> 100, 115 -> 150) gives 110 轻度污染; 2012 (35/75) gives 94 良.
    new = SCENE.summarize({"env_air": synthetic(70)}, Options(), ctx)
    old = SCENE.summarize({"env_air": synthetic(70)}, Options(aqi_standard="HJ633-2012"), ctx)
    assert new.kpis[0].value == 110 and "轻度污染" in new.kpis[0].note
    assert old.kpis[0].value == 94 and "良" in old.kpis[0].note


def test_kpis_show_level_text_primary_pollutant_and_trend(ctx: RenderContext) -> None:
    air = synthetic(70, hours=25)
    for r in air["readings"]:
        if r["ts"] == (HOUR - timedelta(hours=24)).isoformat():
            r["pm25"] = 40
    out = text(view({"env_air": air}, ctx)["kpis"])
    assert "三级" in out and "轻度污染" in out and "首要污染物 PM2.5" in out
    assert "较昨日同时 ↑" in out
    assert "临时值" in out  # 18 hours today < 20: provisional daily AQI


def test_incomplete_hour_is_na_not_good(ctx: RenderContext) -> None:
    air = synthetic(20)
    for r in air["readings"]:
        r["o3"] = None  # AQI <= 100 with a missing pollutant is not published (HJ 633-2026 5.3)
    panels = view({"env_air": air}, ctx)
    assert "NA" in text(panels["kpis"]) and "0/0站" not in text(panels["kpis"])
    assert EMPTY_TEXT in text(panels["station_rank"])


def test_station_lagging_one_hour_is_still_shown(ctx: RenderContext) -> None:
    air = synthetic(30)
    air["readings"] = [
        r for r in air["readings"] if not (r["station_id"] == "B1" and r["ts"] == HOUR.isoformat())
    ]
    bars = view({"env_air": air}, ctx)["station_rank"]["data"][0]
    assert len(bars["y"]) == 2


def test_exceedances_list_daily_mean_over_limit_with_ratio(ctx: RenderContext) -> None:
    out = text(view({"env_air": synthetic(72)}, ctx)["exceedances"])
    assert "PM2.5 日均" in out and "1.20" in out and "60" in out
    clean = text(view({"env_air": synthetic(30)}, ctx)["exceedances"])
    assert "今日暂无超标" in clean


def test_exceedances_before_gb3095_2026_took_effect(ctx: RenderContext) -> None:
    out = text(view({"env_air": synthetic(72, at=datetime(2026, 2, 10, 12))}, ctx)["exceedances"])
    assert "尚未实施" in out


def test_alerts_follow_thresholds_and_are_capped(ctx: RenderContext) -> None:
    summary = SCENE.summarize({"env_air": synthetic(160)}, Options(), ctx)  # PM2.5 160 -> AQI 210
    assert {a.level for a in summary.alerts} == {2}
    assert any(
        a.text.startswith("莘县·燕塔 AQI 210 重度污染（首要污染物 PM2.5）") for a in summary.alerts
    )
    mild = SCENE.summarize({"env_air": synthetic(110)}, Options(pm25_alert=100), ctx)  # AQI 146
    assert (
        all(a.level == 3 and "PM2.5 小时浓度 110" in a.text for a in mild.alerts)
        and len(mild.alerts) == 2
    )
    capped = SCENE.summarize({"env_air": synthetic(160)}, Options(max_alerts=1), ctx)
    assert len(capped.alerts) == 2 and "另有 1 条" in capped.alerts[-1].text
    assert all(a.scene == "environment" for a in capped.alerts)


def test_water_table_classifies_and_flags_missed_targets(ctx: RenderContext) -> None:
    panels = view({"env_water": water(target=3)}, ctx)  # nh3n 1.2 -> Ⅳ类 against Ⅲ类
    out = text(panels["water"])
    assert "Ⅳ类" in out and "Ⅲ类" in out and "不达标" in out and "毕屯" in out and "徒骇河" in out
    summary = SCENE.summarize({"env_water": water(target=3)}, Options(), ctx)
    assert summary.alerts[0].text == "徒骇河·毕屯 断面水质 Ⅳ类，未达 Ⅲ类 目标（超标因子 氨氮）"
    assert (
        SCENE.summarize({"env_water": water(target=3)}, Options(water_alert=False), ctx).alerts
        == ()
    )
    assert {k.key: k.value for k in summary.kpis}["water_rate"] == 0
    ok = text(view({"env_water": water(target=4)}, ctx)["water"])
    assert "达标" in ok and "不达标" not in ok


def test_water_sample_missing_a_parameter_reads_as_missing(ctx: RenderContext) -> None:
    out = text(view({"env_water": water(do=None)}, ctx)["water"])
    assert "数据缺失" in out


def test_county_ranking_lists_counties_best_first(ctx: RenderContext) -> None:
    air = synthetic(30)
    for r in air["readings"]:
        if r["station_id"] == "B1":
            r["pm25"] = 90
    out = text(view({"env_air": air}, ctx)["county_rank"])
    assert out.index("东昌府区") < out.index("莘县") and "轻度污染" in out and "良" in out


# ---- options and layout ----------------------------------------------------------------------


def test_options_are_defaulted_bounded_and_strict() -> None:
    Options()
    with pytest.raises(ValueError):
        Options(stations=0)
    with pytest.raises(ValueError):
        Options(aqi_standard="EPA")
    with pytest.raises(ValueError):
        Options(unknown=1)


def test_layout_holds_every_declared_panel(ctx: RenderContext) -> None:
    root = SCENE.layout(SCENE.ids, Options(), ctx)
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list | tuple):
            for n in node:
                walk(n)
            return
        cid = getattr(node, "id", None)
        if isinstance(cid, dict):
            assert cid["scene"] == "environment"
            found[cid["part"]] = node
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str):
            walk(children)

    walk(root)
    for p in SCENE.panels:
        assert p.name in found
        assert isinstance(found[p.name], dcc.Graph if p.kind == "graph" else html.Div), p.name
    assert all(n.source == "citydb" and n.label for n in SCENE.needs)


def test_hub_fetches_and_renders_the_scene(seeded_source: Any, ctx: RenderContext) -> None:
    from data_sources.hub import Hub
    from data_sources.memory import MemoryBackend

    store = MemoryBackend()
    hub = Hub(
        {"environment": (SCENE, Options())}, {"citydb": seeded_source}, store, lambda **kw: ctx
    )
    assert hub.collect_once(force=True) == {"env_air", "env_water"}
    stored = store.get("view:environment")
    assert set(stored["panels"]) == {p.name for p in SCENE.panels}
    assert store.get("meta:environment")["status"] == {"stale": False}
    assert store.get("summary:environment") is not None


def test_readings_before_the_station_table_is_loaded(ctx: RenderContext) -> None:
    air = synthetic(40)
    air["stations"] = []  # live feed running, reference data not seeded yet
    panels = view({"env_air": air}, ctx)
    assert "暂无站点信息" in text(panels["station_rank"])
    assert "城市实时AQI" in text(panels["kpis"]) and EMPTY_TEXT in text(panels["county_rank"])
    assert SCENE.summarize({"env_air": air}, Options(), ctx).kpis[0].value is not None
