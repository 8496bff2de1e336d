"""The 城市管理 simulator: deterministic, valid records inside the city, part ids built from the
configured class codes, lifecycles that obey the workflow, realistic volumes and mixes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from shapely.geometry import Point, shape

from data_sources.area import city_area
from data_sources.datasets import DATASETS
from data_sources.datasets.cases import EVENT_CLASSES
from data_sources.ingest import Checks, validate_records
from data_sources.simulator.city_management import CityManagementSim, from_options
from indicators.cases import FINISHED, State, Step, replay
from indicators.coords import wgs84_to_gcj02
from scenes.base import Geo
from scenes.city_management.options import Options, PartClass
from tests.conftest import city_geo

NOW = datetime(2026, 11, 29, 17, 44, 9)
CLASSES = dict(Options().part_classes)


@pytest.fixture(scope="module")
def geo() -> Geo:
    return city_geo()


def _sim(seed: int = 7, **kw: object) -> CityManagementSim:
    return CityManagementSim(seed, CLASSES, parts=kw.pop("parts", 600), cases_per_day=kw.pop("cases_per_day", 200))  # type: ignore[arg-type]  # fmt: skip


def _records(batches: list[tuple[str, list[dict]]], name: str) -> list[dict]:
    return [r for n, recs in batches if n == name for r in recs]


def test_same_seed_same_records_and_other_seed_differs(geo: Geo) -> None:
    a, b, c = _sim(7), _sim(7), _sim(8)
    start = NOW - timedelta(days=1)
    assert a.reference(geo) == b.reference(geo)
    assert list(a.history(geo, start, NOW)) == list(b.history(geo, start, NOW))
    assert a.live(geo, NOW) == b.live(geo, NOW)
    assert _records(list(a.history(geo, start, NOW)), "cases") != _records(list(c.history(geo, start, NOW)), "cases")  # fmt: skip


def test_every_record_passes_schema_and_city_check(geo: Geo) -> None:
    checks = Checks(area=city_area("聊城市", geo.counties, 5.0))
    sim = _sim(11)
    batches = [*sim.reference(geo), *sim.history(geo, NOW - timedelta(days=2), NOW), *sim.live(geo, NOW)]  # fmt: skip
    names = set()
    for name, records in batches:
        rows, rejected = validate_records(DATASETS[name], records, checks)
        assert not rejected, (name, rejected[:3])
        assert len(rows) == len(records)
        names.add(name)
    assert names == {"city_parts", "cases", "case_transitions"}


def test_part_ids_carry_county_and_configured_codes(geo: Geo) -> None:
    (name, parts), = _sim(3).reference(geo)  # fmt: skip
    assert name == "city_parts" and len(parts) == 600
    o = Options()
    polygons = {f["properties"]["adcode"]: shape(f["geometry"]) for f in geo.counties["features"]}
    for p in parts:
        pid = p["part_id"]
        assert len(pid) == 16 and pid.isdigit() and pid.startswith(p["county"])
        major = o.class_of(pid)
        assert major in CLASSES, pid
        assert CLASSES[major].minors[p["minor_name"]] == pid[8:10]
        assert polygons[p["county"]].contains(Point(*wgs84_to_gcj02(p["lon"], p["lat"])))
    assert len({p["part_id"] for p in parts}) == len(parts)
    mix = Counter(o.class_of(p["part_id"]) for p in parts)
    assert mix["公用设施"] > mix["道路交通"] > mix["房屋土地"]  # manhole covers dominate
    assert Counter(p["status"] for p in parts)["完好"] / len(parts) > 0.85


def test_other_class_codes_from_config_are_used(geo: Geo) -> None:
    classes = {"公用设施": PartClass(code="11", minors={"上水井盖": "07"})}
    sim = CityManagementSim(1, classes, parts=50, cases_per_day=50)
    (_, parts), = sim.reference(geo)  # fmt: skip
    assert {p["part_id"][6:10] for p in parts} == {"1107"}
    cases = _records(list(sim.history(geo, NOW - timedelta(days=1), NOW)), "cases")
    assert {c["category"] for c in cases if c["kind"] == "部件"} == {"公用设施"}


def test_cases_reference_parts_and_event_classes(geo: Geo) -> None:
    sim = _sim(5)
    parts = {p["part_id"]: p for p in sim.reference(geo)[0][1]}
    cases = _records(list(sim.history(geo, NOW - timedelta(days=3), NOW)), "cases")
    o = Options()
    for c in cases:
        assert c["source"] == "城管" and c["case_id"].startswith("CG")
        if c["kind"] == "部件":
            part = parts[c["part_id"]]
            assert c["category"] == o.class_of(c["part_id"]) and c["subcategory"] == part["minor_name"]  # fmt: skip
            assert (c["county"], c["lon"], c["lat"]) == (part["county"], part["lon"], part["lat"])
        else:
            assert c["category"] in EVENT_CLASSES and c.get("part_id") is None
    kinds = Counter(c["kind"] for c in cases)
    assert 0.3 < kinds["部件"] / len(cases) < 0.5  # about 40 % about a part


def _replayable(report: dict, steps: list[dict]) -> list[Step]:
    return [Step(report["reported_at"], State.REPORTED)] + [
        Step(s["ts"], State(s["state"]), s.get("deadline")) for s in steps
    ]


def test_every_simulated_lifecycle_replays_through_the_workflow(geo: Geo) -> None:
    sim = _sim(9)
    batches = list(sim.history(geo, NOW - timedelta(days=20), NOW))
    reports = {c["case_id"]: c for c in _records(batches, "cases")}
    steps: dict[str, list[dict]] = {}
    for s in _records(batches, "case_transitions"):
        steps.setdefault(s["case_id"], []).append(s)
    finals = Counter()
    for case_id, report in reports.items():
        mine = sorted(steps.get(case_id, []), key=lambda s: s["ts"])
        finals[replay(case_id, _replayable(report, mine))] += 1
    assert len(reports) > 3000
    done = sum(n for s, n in finals.items() if s in FINISHED)
    assert done / len(reports) > 0.9  # most cases of 20 days are finished by NOW
    assert finals[State.EVALUATED] and finals[State.CANCELLED]
    # Urgent 突发事件 get a short time limit: 4 hours from 派遣.
    urgent = [c["case_id"] for c in reports.values() if c["category"] == "突发事件"]
    dispatches = [s for cid in urgent for s in steps.get(cid, []) if s["state"] == "派遣" and s.get("deadline")]  # fmt: skip
    assert len(dispatches) > 50
    assert all(s["deadline"] - s["ts"] == timedelta(hours=4) for s in dispatches)


def test_volume_and_daily_rhythm(geo: Geo) -> None:
    sim = _sim(20191, cases_per_day=600)
    start = datetime(2026, 11, 2)  # a Monday
    cases = _records(list(sim.history(geo, start, start + timedelta(days=7))), "cases")
    per_day = Counter(c["reported_at"].date() for c in cases)
    weekdays = [n for d, n in per_day.items() if d.weekday() < 5]
    weekend = [n for d, n in per_day.items() if d.weekday() >= 5]
    assert len(per_day) == 7 and all(480 <= n <= 720 for n in weekdays), per_day
    assert max(weekend) < min(weekdays)  # fewer patrols at the weekend
    by_hour = Counter(c["reported_at"].hour for c in cases)
    assert by_hour[9] > 5 * by_hour[3]  # daytime inspection, quiet nights


def test_live_resends_moving_cases_consistently(geo: Geo) -> None:
    sim = _sim(4)
    hist = {c["case_id"]: c for c in _records(list(sim.history(geo, NOW - timedelta(days=15), NOW)), "cases")}  # fmt: skip
    live = sim.live(geo, NOW)
    cases = _records(live, "cases")
    assert cases and all(hist[c["case_id"]] == c for c in cases if c["reported_at"] < NOW)


def test_from_options_and_bad_sizes() -> None:
    sim = from_options(1, Options(sim_parts=300, sim_cases_per_day=90))
    assert sim.n_parts == 300 and sim.cases_per_day == 90
    with pytest.raises(ValueError, match="parts"):
        CityManagementSim(1, CLASSES, parts=0)
    with pytest.raises(ValueError, match="part_classes"):
        CityManagementSim(1, {}, parts=10)
