"""The environment simulator: deterministic, covers every county, valid records, realistic levels."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from statistics import fmean

import pytest
from shapely.geometry import Point, shape

from data_sources.datasets import DATASETS
from data_sources.ingest import validate_records
from data_sources.simulator.environment import EnvironmentSim
from indicators.coords import wgs84_to_gcj02
from scenes.base import Geo
from wall.geo import load_geo

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 29, 17, 44, 9)


@pytest.fixture(scope="module")
def geo() -> Geo:
    return load_geo(
        REPO / "data/geo/liaocheng_counties.geojson",
        name_field="name",
        code_field="adcode",
        center=(115.98, 36.45),
        zoom=8.2,
        tolerance=0.002,
    )


def _records(batches: list[tuple[str, list[dict]]], name: str) -> list[dict]:
    return [r for n, recs in batches if n == name for r in recs]


def test_same_seed_same_records_and_other_seed_differs(geo: Geo) -> None:
    a, b, c = EnvironmentSim(7), EnvironmentSim(7), EnvironmentSim(8)
    start, end = NOW - timedelta(days=2), NOW
    assert a.reference(geo) == b.reference(geo)
    assert list(a.history(geo, start, end)) == list(b.history(geo, start, end))
    assert a.live(geo, NOW) == b.live(geo, NOW)
    assert _records(list(a.history(geo, start, end)), "air_hourly") != _records(
        list(c.history(geo, start, end)), "air_hourly"
    )


def test_default_twenty_stations_cover_every_county_at_least_twice(geo: Geo) -> None:
    stations = EnvironmentSim(1).reference(geo)[0][1]
    assert len(stations) == 20
    per_county = Counter(s["county"] for s in stations)
    assert set(per_county) == set(geo.names)
    assert min(per_county.values()) >= 2
    assert (
        len({s["station_id"] for s in stations}) == 20 and len({s["name"] for s in stations}) == 20
    )
    for s in stations:
        assert s["name"].startswith(geo.names[s["county"]] + "·")


@pytest.mark.parametrize("count", [1, 5, 8, 33, 200])
def test_station_count_is_configurable(geo: Geo, count: int) -> None:
    stations = EnvironmentSim(3, stations=count).reference(geo)[0][1]
    assert len(stations) == count
    assert len({s["station_id"] for s in stations}) == count
    if count >= 8:
        assert {s["county"] for s in stations} == set(geo.names)


def test_bad_station_count_is_refused() -> None:
    with pytest.raises(ValueError, match="stations must be > 0"):
        EnvironmentSim(1, stations=0)


def test_points_are_wgs84_inside_their_county(geo: Geo) -> None:
    polygons = {f["properties"]["adcode"]: shape(f["geometry"]) for f in geo.counties["features"]}
    stations, sections = (recs for _, recs in EnvironmentSim(5).reference(geo))
    for rec in [*stations, *sections]:
        lon, lat = wgs84_to_gcj02(
            rec["lon"], rec["lat"]
        )  # stored as GPS; the boundaries are GCJ-02
        assert polygons[rec["county"]].contains(Point(lon, lat)), rec
        # stored WGS-84 differs from the drawn GCJ-02 point by the ~500 m offset
        assert 0.002 < abs(lon - rec["lon"]) < 0.01


def test_water_sections_are_on_real_rivers_with_targets_iii_to_v(geo: Geo) -> None:
    sections = EnvironmentSim(5).reference(geo)[1][1]
    assert len(sections) == 10
    assert {"徒骇河", "马颊河", "卫运河", "金堤河", "小运河", "黄河"} <= {
        s["river"] for s in sections
    }
    assert {s["target_class"] for s in sections} <= {3, 4, 5}


def test_every_record_passes_its_ingest_schema(geo: Geo) -> None:
    sim = EnvironmentSim(11)
    batches = [
        *sim.reference(geo),
        *sim.history(geo, NOW - timedelta(days=3), NOW),
        *sim.live(geo, NOW),
    ]
    for name, records in batches:
        rows, rejected = validate_records(DATASETS[name], records)
        assert not rejected, (name, rejected[:3])
        assert len(rows) == len(records)


def test_history_is_hourly_in_daily_batches(geo: Geo) -> None:
    start = datetime(2026, 11, 20, 0, 30)
    batches = list(EnvironmentSim(2).history(geo, start, start + timedelta(days=2)))
    air = [recs for n, recs in batches if n == "air_hourly"]
    assert len(air) == 3  # 23.5 h, 24 h, 0.5 h → the partial days are their own batches
    hours = sorted({r["ts"] for recs in air for r in recs})
    assert hours[0] == datetime(2026, 11, 20, 1) and hours[-1] == datetime(2026, 11, 22, 0)
    assert len(hours) == 48 and all(
        len([r for r in recs if r["ts"] == h]) == 20
        for recs in air
        for h in {r["ts"] for r in recs}
    )
    water = _records(batches, "water_quality")
    assert {r["ts"].hour % 4 for r in water} == {0} and len(water) == 12 * 10


def test_live_matches_history_and_drifts_within_the_hour(geo: Geo) -> None:
    sim = EnvironmentSim(4)
    hour = datetime(2026, 11, 29, 17)
    hist = {
        (r["station_id"], r["ts"]): r
        for r in _records(
            list(sim.history(geo, hour - timedelta(hours=1), hour + timedelta(hours=1))),
            "air_hourly",
        )
    }
    at_start = _records(sim.live(geo, hour), "air_hourly")
    assert all(r == hist[(r["station_id"], r["ts"])] for r in at_start)  # previous and running hour
    mid = {
        r["station_id"]: r
        for r in _records(sim.live(geo, hour + timedelta(minutes=20, seconds=7)), "air_hourly")
        if r["ts"] == hour
    }
    later = {
        r["station_id"]: r
        for r in _records(sim.live(geo, hour + timedelta(minutes=20, seconds=37)), "air_hourly")
        if r["ts"] == hour
    }
    assert any(mid[s]["pm25"] != later[s]["pm25"] for s in mid)  # visible movement within seconds
    for sid, r in mid.items():
        base = hist[(sid, hour)]["pm25"]
        if r["pm25"] is not None and base:
            assert abs(r["pm25"] - base) <= 0.06 * base + 1


def test_levels_are_realistic_for_liaocheng(geo: Geo) -> None:
    sim = EnvironmentSim(20191)
    winter = _records(
        list(sim.history(geo, datetime(2026, 12, 1), datetime(2027, 1, 31))), "air_hourly"
    )
    summer = _records(
        list(sim.history(geo, datetime(2026, 6, 1), datetime(2026, 7, 15))), "air_hourly"
    )
    pm_winter = [r["pm25"] for r in winter if r["pm25"] is not None]
    pm_summer = [r["pm25"] for r in summer if r["pm25"] is not None]
    assert 40 <= fmean(pm_winter) <= 120 and fmean(pm_summer) < fmean(pm_winter) / 2
    assert max(pm_winter) > 150  # episodes reach 重度污染 (PM2.5 IAQI > 200) now and then
    assert sum(p > 150 for p in pm_winter) / len(pm_winter) < 0.1

    def afternoon(recs: list[dict]) -> float:
        return fmean(r["o3"] for r in recs if r["o3"] is not None and 13 <= r["ts"].hour <= 16)

    assert afternoon(summer) > 2 * afternoon(winter) and afternoon(summer) > 120
    co = [r["co"] for r in winter if r["co"] is not None]
    assert min(co) >= 0.3 and fmean(co) <= 2.0


def test_water_mostly_meets_its_target(geo: Geo) -> None:
    from indicators.water import classify_water, meets_target

    sim = EnvironmentSim(20191)
    targets = {s["section_id"]: s["target_class"] for s in sim.reference(geo)[1][1]}
    samples = _records(
        list(sim.history(geo, datetime(2026, 10, 1), datetime(2026, 11, 1))), "water_quality"
    )
    met = [
        meets_target(
            classify_water({k: r[k] for k in ("do", "codmn", "nh3n", "tp")}),
            targets[r["section_id"]],
        )
        for r in samples
    ]
    assert 0.75 < sum(met) / len(met) < 0.99
