"""The public-safety simulator: deterministic, valid records inside the city, realistic volumes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from data_sources.area import city_area
from data_sources.datasets import DATASETS
from data_sources.datasets.public_safety import ALARM_CATEGORIES
from data_sources.ingest import Checks, validate_records
from data_sources.simulator.public_safety import PublicSafetySim, from_options
from indicators.coords import wgs84_to_gcj02
from scenes.base import Geo
from scenes.public_safety.options import Options
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
    a, b, c = PublicSafetySim(7), PublicSafetySim(7), PublicSafetySim(8)
    start = NOW - timedelta(days=2)
    assert a.reference(geo) == b.reference(geo)
    assert list(a.history(geo, start, NOW)) == list(b.history(geo, start, NOW))
    assert a.live(geo, NOW) == b.live(geo, NOW)
    alarms = _records(list(a.history(geo, start, NOW)), "public_safety_alarms")
    assert alarms != _records(list(c.history(geo, start, NOW)), "public_safety_alarms")


def test_every_record_passes_schema_and_city_check(geo: Geo) -> None:
    checks = Checks(area=city_area("聊城市", geo.counties, 5.0))
    sim = PublicSafetySim(11)
    batches = [*sim.reference(geo), *sim.history(geo, NOW - timedelta(days=3), NOW), *sim.live(geo, NOW)]  # fmt: skip
    names = set()
    for name, records in batches:
        rows, rejected = validate_records(DATASETS[name], records, checks)
        assert not rejected, (name, rejected[:3])
        assert len(rows) == len(records)
        names.add(name)
    assert names == {n for n in DATASETS if n.startswith("public_safety_")}


def test_alarms_lie_in_their_county_and_carry_no_personal_fields(geo: Geo) -> None:
    polygons = {f["properties"]["adcode"]: shape(f["geometry"]) for f in geo.counties["features"]}
    alarms = _records(list(PublicSafetySim(5).history(geo, NOW - timedelta(days=1), NOW)), "public_safety_alarms")  # fmt: skip
    for r in alarms:
        assert set(r) == {"alarm_id", "category", "ts", "lon", "lat", "county"}
        # stored as GPS (WGS-84); the county boundaries are GCJ-02
        assert polygons[r["county"]].contains(Point(*wgs84_to_gcj02(r["lon"], r["lat"]))), r
    assert {r["county"] for r in alarms} == set(geo.names)


def test_volume_rhythm_and_category_mix_are_realistic(geo: Geo) -> None:
    sim = PublicSafetySim(20191)
    start = datetime(2026, 11, 1)
    alarms = _records(list(sim.history(geo, start, start + timedelta(days=14))), "public_safety_alarms")  # fmt: skip
    per_day = Counter(r["ts"].date() for r in alarms)
    assert len(per_day) == 14 and all(250 <= n <= 420 for n in per_day.values()), per_day
    by_hour = Counter(r["ts"].hour for r in alarms)
    assert by_hour[19] > 3 * by_hour[4]  # evening busy, before dawn quiet
    mix = Counter(r["category"] for r in alarms)
    assert set(mix) == set(ALARM_CATEGORIES)
    assert mix["交通"] > mix["刑事"] > mix["火灾"]
    assert 0.05 < mix["刑事"] / len(alarms) < 0.12


def test_history_respects_the_window_and_live_matches_history(geo: Geo) -> None:
    sim = PublicSafetySim(4)
    start, end = datetime(2026, 11, 20, 6, 30), datetime(2026, 11, 21, 9, 15)
    batches = list(sim.history(geo, start, end))
    alarms = _records(batches, "public_safety_alarms")
    assert all(start <= r["ts"] < end for r in alarms)
    crowds = _records(batches, "public_safety_crowds")
    assert min(r["ts"] for r in crowds) == start  # a slot boundary is inside [start, end)
    assert max(r["ts"] for r in crowds) == datetime(2026, 11, 21, 9, 10)
    assert {r["ts"].minute % 10 for r in crowds} == {0}
    hour = datetime(2026, 11, 21, 8)
    hist = {r["alarm_id"]: r for r in _records(list(sim.history(geo, hour - timedelta(hours=1), end)), "public_safety_alarms")}  # fmt: skip
    live = _records(sim.live(geo, end), "public_safety_alarms")
    assert live and all(hist[r["alarm_id"]] == r for r in live if r["ts"] < end)


def test_live_moves_within_seconds_and_slots_settle(geo: Geo) -> None:
    sim = PublicSafetySim(4)
    slot = datetime(2026, 11, 29, 17, 40)
    at = lambda s: {r["area_id"]: r["count"] for r in _records(sim.live(geo, slot + timedelta(seconds=s)), "public_safety_crowds")}  # noqa: E731  # fmt: skip
    assert at(200) != at(205)  # visibly moving every tick
    settled = {r["area_id"]: r["count"] for r in sim._crowds(slot)}
    assert at(0) == settled  # the slot starts (and ends) on its history value
    cams = _records(sim.live(geo, slot + timedelta(seconds=200)), "public_safety_cameras")
    assert all(0 <= c["online"] <= c["total"] for c in cams) and len(cams) == 8


def test_crowds_reach_warning_levels_sometimes(geo: Geo) -> None:
    sim = PublicSafetySim(20191)
    caps = {a["area_id"]: a["capacity"] for a in sim.reference(geo)[0][1]}
    assert len(caps) == 12
    crowds = _records(list(sim.history(geo, datetime(2026, 11, 1), datetime(2026, 11, 8))), "public_safety_crowds")  # fmt: skip
    ratios = [r["count"] / caps[r["area_id"]] for r in crowds]
    assert max(ratios) >= 1.0  # an over-capacity moment exists in a week
    assert sum(x >= 0.8 for x in ratios) / len(ratios) < 0.1  # but it is rare


def test_cases_are_consistent(geo: Geo) -> None:
    cases = _records(list(PublicSafetySim(3).history(geo, NOW - timedelta(days=5), NOW)), "public_safety_cases")  # fmt: skip
    assert all(0 <= c["solved"] <= c["registered"] for c in cases)
    assert sum(c["registered"] for c in cases) > 0


def test_from_options_and_bad_volume() -> None:
    assert from_options(1, Options(sim_alarms_per_day=500)).alarms_per_day == 500
    with pytest.raises(ValueError, match="alarms_per_day"):
        PublicSafetySim(1, alarms_per_day=0)
