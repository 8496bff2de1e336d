"""The 网格化治理 simulator: valid records inside their grids, lifecycles the workflow accepts,
members per grid, realistic volumes and hot spots, the same output for the same seed."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from shapely.geometry import Point, shape

from data_sources.area import city_area
from data_sources.datasets import DATASETS
from data_sources.datasets.cases import GRID_EVENT_CATEGORIES
from data_sources.ingest import Checks, validate_records
from data_sources.simulator.grid_governance import GridGovernanceSim, from_options
from indicators.cases import FINISHED, Step, parse_state, replay
from indicators.coords import wgs84_to_gcj02
from scenes.base import Geo
from scenes.grid_governance.options import Options
from tests.conftest import city_geo

NOW = datetime(2026, 11, 29, 17, 44, 9)
NAMES = ("grid_cells", "grid_members", "cases", "case_transitions")


@pytest.fixture(scope="module")
def geo() -> Geo:
    return city_geo()


@pytest.fixture(scope="module")
def batches(geo: Geo) -> list[tuple[str, list[dict]]]:
    sim = GridGovernanceSim(11)
    return [*sim.reference(geo), *sim.history(geo, NOW - timedelta(days=3), NOW), *sim.live(geo, NOW)]  # fmt: skip


def _records(batches: list, name: str) -> list[dict]:
    return [r for n, recs in batches if n == name for r in recs]


def test_every_record_passes_schema_and_city_check(geo: Geo, batches: list) -> None:
    checks = Checks(area=city_area("聊城市", geo.counties, 5.0))
    seen = set()
    for name, records in batches:
        rows, rejected = validate_records(DATASETS[name], records, checks)
        assert not rejected, (name, rejected[:3])
        assert len(rows) == len(records)
        seen.add(name)
    assert seen == set(NAMES)


def test_every_simulated_lifecycle_replays_through_the_workflow(batches: list) -> None:
    reports = {r["case_id"]: r for r in _records(batches, "cases")}
    steps: dict[str, dict] = {}
    for s in _records(batches, "case_transitions"):
        steps.setdefault(s["case_id"], {})[(s["ts"], s["state"])] = s  # live repeats history
    finals = Counter()
    for cid, report in reports.items():
        history = [Step(report["reported_at"], parse_state("上报"))]
        for s in sorted(steps.get(cid, {}).values(), key=lambda s: s["ts"]):
            history.append(Step(s["ts"], parse_state(s["state"]), s.get("deadline")))
        finals[replay(cid, history)] += 1
    assert set(steps) <= set(reports)
    done = sum(n for state, n in finals.items() if state in FINISHED)
    assert 0 < done < len(reports)  # some finished, some still open at NOW


def test_events_lie_in_their_grid_and_members_in_theirs(geo: Geo, batches: list) -> None:
    grids = {g["grid_code"]: g for g in _records(batches, "grid_cells")}
    polys = {code: shape(g["geometry"]) for code, g in grids.items()}  # WGS-84 records
    events = {r["case_id"]: r for r in _records(batches, "cases")}.values()
    for r in events:
        assert (
            r["source"] == "网格" and r["kind"] == "事件" and r["category"] in GRID_EVENT_CATEGORIES
        )
        assert r["grid_code"].startswith(r["county"])
        assert polys[r["grid_code"]].buffer(1e-5).contains(Point(r["lon"], r["lat"])), r
    members = _records(batches, "grid_members")
    assert all(
        polys[m["grid_code"]].buffer(1e-5).contains(Point(m["lon"], m["lat"])) for m in members
    )
    per_grid = Counter(m["grid_code"] for m in members if m["ts"] == members[-1]["ts"])
    assert set(per_grid) == set(grids) and min(per_grid.values()) >= 1
    assert {m["status"] for m in members} == {"在线", "离线"}
    assert not any("name" in m or "phone" in m for m in members)  # members are codes only
    county = {f["properties"]["adcode"]: shape(f["geometry"]) for f in geo.counties["features"]}
    for g in list(grids.values())[:40]:
        assert county[g["county"]].buffer(1e-3).contains(Point(*wgs84_to_gcj02(g["lon"], g["lat"])))


def test_volume_categories_and_hot_spots_are_realistic(geo: Geo) -> None:
    sim = GridGovernanceSim(20191)
    start = datetime(2026, 11, 2)
    events = {r["case_id"]: r for r in _records(list(sim.history(geo, start, start + timedelta(days=7))), "cases")}  # fmt: skip
    per_day = Counter(r["reported_at"].date() for r in events.values())
    assert len(per_day) == 7 and all(200 <= n <= 420 for n in per_day.values()), per_day
    cats = Counter(r["category"] for r in events.values())
    assert set(cats) == set(GRID_EVENT_CATEGORIES)
    per_grid = Counter(r["grid_code"] for r in events.values())
    mean = sum(per_grid.values()) / 300
    assert max(per_grid.values()) > 3 * mean  # busy grids make hot spots on the heat map


def test_same_seed_same_records_and_options_size_it(geo: Geo) -> None:
    a, b = GridGovernanceSim(7), GridGovernanceSim(7)
    start = NOW - timedelta(days=1)
    assert a.reference(geo) == b.reference(geo)
    assert list(a.history(geo, start, NOW)) == list(b.history(geo, start, NOW))
    sim = from_options(7, Options(sim_grids=40, sim_members_per_grid=1.0, sim_events_per_day=50))
    assert len(sim.cells(geo)) == 40
    with pytest.raises(ValueError, match="must be > 0"):
        GridGovernanceSim(7, grids=0)
