"""The emergency simulator: deterministic, valid through the ingest schemas, inside the city,
timelines grow with time, sensors move within seconds and sometimes cross thresholds."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from data_sources.area import city_area
from data_sources.datasets import DATASETS
from data_sources.ingest import Checks, validate_records
from data_sources.simulator.emergency import SENSORS, EmergencySim
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


def test_same_seed_same_records_other_seed_differs(geo: Geo) -> None:
    a, b, c = EmergencySim(7), EmergencySim(7), EmergencySim(8)
    start = NOW - timedelta(days=2)
    assert a.reference(geo) == b.reference(geo)
    assert list(a.history(geo, start, NOW)) == list(b.history(geo, start, NOW))
    assert a.live(geo, NOW) == b.live(geo, NOW)
    assert a.events(geo, start, NOW) != c.events(geo, start, NOW)


def test_every_record_passes_ingest_inside_the_city(geo: Geo) -> None:
    checks = Checks(area=city_area("聊城市", geo.counties, 5.0))
    sim = EmergencySim(11)
    batches = [
        *sim.reference(geo),
        *sim.history(geo, NOW - timedelta(days=3), NOW),
        *sim.live(geo, NOW),
    ]
    names = set()
    for name, records in batches:
        rows, rejected = validate_records(DATASETS[name], records, checks)
        assert not rejected, (name, rejected[:3])
        assert len(rows) == len(records)
        names.add(name)
    assert names == {n for n in DATASETS if n.startswith("emergency_")}


def test_points_lie_in_their_county(geo: Geo) -> None:
    polygons = {f["properties"]["adcode"]: shape(f["geometry"]) for f in geo.counties["features"]}
    sim = EmergencySim(5)
    records = [r for _, recs in sim.reference(geo) for r in recs]
    records += [r for n, recs in sim.live(geo, NOW) if n == "emergency_events" for r in recs]
    for rec in records:
        x, y = wgs84_to_gcj02(rec["lon"], rec["lat"])  # stored as GPS; boundaries are GCJ-02
        assert polygons[rec["county"]].contains(Point(x, y)), rec


def test_live_has_active_events_of_several_types_and_computed_accident_grades(geo: Geo) -> None:
    sim = EmergencySim(20191)
    seen_types, active_counts = set(), []
    for h in range(0, 24 * 7, 6):
        at = NOW - timedelta(hours=h)
        evs = [e for n, r in sim.live(geo, at) if n == "emergency_events" for e in r]
        active_counts.append(sum(1 for e in evs if e["status"] == "处置中"))
        seen_types |= {e["type"] for e in evs}
        for e in evs:
            assert ("grade" in e) != (e["type"] == "事故灾难")  # accidents are graded by the ingest
    assert seen_types == {"自然灾害", "事故灾难", "公共卫生事件", "社会安全事件"}
    assert sum(active_counts) / len(active_counts) >= 2


def test_timelines_grow_and_end_with_the_event(geo: Geo) -> None:
    sim = EmergencySim(3)
    ev = next(e for e in sim.events(geo, NOW - timedelta(days=3), NOW) if e.ends < NOW)
    mid = ev.started + (ev.ends - ev.started) / 2

    def log(at: datetime) -> list[dict]:
        return [
            r
            for n, recs in sim.live(geo, at)
            if n == "emergency_event_log"
            for r in recs
            if r["event_id"] == ev.event_id
        ]

    early, late = log(ev.started + timedelta(minutes=20)), log(ev.ends + timedelta(minutes=1))
    assert [r["stage"] for r in early][:3] == ["接报", "先期处置", "响应启动"]
    assert len(log(mid)) > len(early) and late[-1]["stage"] == "结束"
    status = {
        e["event_id"]: e["status"]
        for n, r in sim.live(geo, mid)
        if n == "emergency_events"
        for e in r
    }
    assert status[ev.event_id] == "处置中"


def test_sensor_values_move_within_seconds_and_sometimes_cross(geo: Geo) -> None:
    sim = EmergencySim(20191)

    def reads(at: datetime) -> dict[str, float]:
        return {
            r["sensor_id"]: r["value"]
            for n, recs in sim.live(geo, at)
            if n == "emergency_readings"
            for r in recs
        }

    a, b = reads(NOW), reads(NOW + timedelta(seconds=6))
    assert sum(1 for k in a if a[k] != b[k]) >= 10
    history = [
        r
        for n, recs in sim.history(geo, NOW - timedelta(days=7), NOW)
        if n == "emergency_readings"
        for r in recs
    ]
    threshold = {s[0]: s[6] for s in SENSORS}
    over = {r["sensor_id"] for r in history if r["value"] > threshold[r["sensor_id"]]}
    assert len(over) >= 3  # a week has several excursions, across sensors
    assert sum(1 for r in history if r["value"] > threshold[r["sensor_id"]]) < 0.02 * len(history)


def test_warnings_respect_the_colour_table_and_season(geo: Geo) -> None:
    winter = EmergencySim(1).warnings(geo, NOW - timedelta(days=7), NOW)
    assert winter and {w["type"] for w in winter} <= {
        "大雾",
        "寒潮",
        "霾",
        "道路结冰",
        "暴雪",
        "大风",
    }
    summer = EmergencySim(1).warnings(geo, datetime(2026, 7, 1), datetime(2026, 7, 8))
    assert {w["type"] for w in summer} <= {"高温", "暴雨", "雷电", "大风", "冰雹"}
