"""The traffic simulator: deterministic, valid through ingest, inside the city, peaks and incidents."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from statistics import fmean

import pytest

from data_sources.area import city_area
from data_sources.datasets import DATASETS
from data_sources.ingest import Checks, validate_records
from data_sources.simulator.traffic import TrafficSim, demand, from_options
from indicators.traffic import network_dtp
from scenes.base import Geo
from scenes.traffic.options import Options
from wall.geo import load_geo

REPO = Path(__file__).resolve().parents[3]
FRIDAY = datetime(2026, 11, 27, 17, 44, 5)


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


@pytest.fixture(scope="module")
def checks(geo: Geo) -> Checks:
    return Checks(area=city_area("聊城市", geo.counties, 5.0))


def test_same_seed_same_records_other_seed_differs(geo: Geo) -> None:
    a, b, c = TrafficSim(7, 300), TrafficSim(7, 300), TrafficSim(8, 300)
    start, end = FRIDAY - timedelta(hours=3), FRIDAY.replace(minute=0, second=0)
    assert a.reference(geo) == b.reference(geo)
    assert list(a.history(geo, start, end)) == list(b.history(geo, start, end))
    assert a.live(geo, FRIDAY) == b.live(geo, FRIDAY)
    assert a.speeds(FRIDAY).tolist() != c.speeds(FRIDAY).tolist()
    assert a.vehicle_records(FRIDAY) != c.vehicle_records(FRIDAY)


def test_every_batch_passes_ingest_inside_the_city(geo: Geo, checks: Checks) -> None:
    sim = TrafficSim(20191, 2000)
    batches = [
        *sim.reference(geo),
        *sim.history(geo, FRIDAY - timedelta(days=1), FRIDAY),
        *sim.live(geo, FRIDAY),
    ]
    seen = set()
    for name, records in batches:
        good, bad = validate_records(DATASETS[name], records, checks)
        assert bad == [], (name, bad[:3])
        assert len(good) == len(
            {tuple(r[c.name] for c in DATASETS[name].table.primary_key.columns) for r in records}
        )
        seen.add(name)
    assert seen == {"traffic_segments", "traffic_speed", "traffic_incidents", "traffic_vehicles"}


def test_reference_covers_every_county_with_classes_and_lengths(geo: Geo) -> None:
    ((name, segs),) = TrafficSim(1).reference(geo)
    assert name == "traffic_segments" and len(segs) == 511
    assert {s["county"] for s in segs} == set(geo.names)
    assert {s["road_class"] for s in segs} == {"快速路", "主干路", "次干路", "支路"}
    for s in segs:  # §5.5: expressway pieces < 3 km, the others < 1.5 km
        assert s["length_m"] < (3000 if s["road_class"] == "快速路" else 1500)
        assert s["free_flow_kmh"] <= s["speed_limit_kmh"]


def test_history_resolution_and_whole_first_day(geo: Geo) -> None:
    sim = TrafficSim(1, 0)
    end = datetime(2026, 11, 27, 17)
    times = sorted(
        {
            r["ts"]
            for n, recs in sim.history(geo, end - timedelta(days=3), end)
            if n == "traffic_speed"
            for r in recs
        }
    )
    assert times[0] == datetime(2026, 11, 24)  # midnight of the first day
    old = [t for t in times if t < end - timedelta(hours=48)]
    recent = [t for t in times if t >= end - timedelta(hours=48)]
    assert all(t.minute % 15 == 0 for t in old) and len(recent) == 48 * 12
    assert times[-1] == end - timedelta(minutes=5)


def test_weekday_peaks_weekend_flatter_and_night_free() -> None:
    sim = TrafficSim(20191, 0)
    urban = [i for i, s in enumerate(sim.segments) if s["setting"] == "urban"]

    def dtp(ts: datetime) -> float:
        v = sim.speeds(ts)
        return network_dtp(
            [
                (sim.segments[i]["length_m"], float(v[i]), sim.segments[i]["free_flow_kmh"])
                for i in urban
            ]
        )

    fri = datetime(2026, 11, 27)
    peak, noon, night = (
        dtp(fri.replace(hour=18)),
        dtp(fri.replace(hour=12)),
        dtp(fri.replace(hour=3)),
    )
    assert peak > 0.45 and noon < 0.3 and night < 0.08
    assert dtp(fri.replace(hour=8)) > 0.4
    sat = datetime(2026, 11, 28)
    assert dtp(sat.replace(hour=18)) < peak and dtp(sat.replace(hour=8)) < 0.3
    assert demand(fri.replace(hour=18)) > demand(sat.replace(hour=18))


def test_incidents_slow_their_segment_and_closures_stop_it() -> None:
    sim = TrafficSim(20191, 0)
    days = [datetime(2026, 11, 20) + timedelta(days=d) for d in range(10)]
    found = {i.kind: i for d in days for i in sim.incidents_on(d.date())}
    assert set(found) == {"accident", "construction", "closure"}
    closure = found["closure"]
    during = closure.start + (closure.end - closure.start) / 2
    assert sim.speeds(during)[closure.index] == 0.0
    after = sim.speeds(closure.end + timedelta(minutes=5))[closure.index]
    assert after > 0
    acc = found["accident"]
    mid = acc.start + (acc.end - acc.start) / 2
    record = sim._incident_record(acc, mid)
    assert record["end_ts"] is None and record["description"].startswith(
        sim.segments[acc.index]["road"]
    )
    assert sim._incident_record(acc, acc.end)["end_ts"] == acc.end


def test_live_moves_every_few_seconds(geo: Geo) -> None:
    sim = TrafficSim(20191, 200)
    a, b = sim.live(geo, FRIDAY), sim.live(geo, FRIDAY + timedelta(seconds=5))
    speeds = lambda bs: [r["speed_kmh"] for n, rs in bs if n == "traffic_speed" for r in rs][-511:]  # noqa: E731
    fixes = lambda bs: [(r["lon"], r["lat"]) for n, rs in bs if n == "traffic_vehicles" for r in rs]  # noqa: E731
    assert speeds(a) != speeds(b)
    moved = [abs(x[0] - y[0]) + abs(x[1] - y[1]) for x, y in zip(fixes(a), fixes(b), strict=True)]
    assert fmean(moved) > 1e-4  # tens of metres in 5 s
    kinds = {r["kind"] for n, rs in a if n == "traffic_vehicles" for r in rs}
    assert kinds == {"bus", "taxi"}
    first_seconds = sim.live(geo, FRIDAY.replace(second=3))
    # the last hour's 12 slots (16:45..17:40) plus the current minute
    assert len([r for n, rs in first_seconds if n == "traffic_speed" for r in rs]) == 511 * 13


def test_from_options_uses_the_scene_options() -> None:
    sim = from_options(5, Options(vehicles=123, sim_incidents_per_day=0))
    assert sim.vehicles == 123 and sim.incidents_per_day == 0
    assert all(not sim.incidents_on((FRIDAY + timedelta(days=d)).date()) for d in range(5))
    with pytest.raises(ValueError, match="vehicles"):
        TrafficSim(1, -1)
