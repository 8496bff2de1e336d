"""The 城市管理 reads against real SQLite and PostgreSQL fed through the ingest path, checked
against the same sets computed in Python from every stored case row."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from data_sources.case_stats import combine, period_bounds
from data_sources.datasets import metadata
from data_sources.datasets.cases import case_transitions, cases
from data_sources.sql import SqlSource
from indicators.public_safety import grid_counts
from scenes.city_management import queries
from scenes.city_management.options import DRILL_CAP
from scenes.city_management.queries import (
    CORE,
    PERIODS,
    RATE_KEYS,
    fetch_cases,
    fetch_drill,
    fetch_parts,
)
from tests.scenes.city_management.conftest import NOW, ingest_sim

FINISHED = {"结案", "评价", "作废"}


def stored(source: SqlSource) -> list[dict[str, Any]]:
    """Every 城管 case row as stored (the reference the SQL aggregates are checked against)."""
    return [r for r in source.fetch(sa.select(cases)) if r["source"] == "城管"]


def _in(t: datetime | None, a: datetime, b: datetime) -> bool:
    return t is not None and a <= t <= b


def _due(r: dict, a: datetime, b: datetime, early: bool) -> bool:
    if r["state"] == "作废":
        return False
    if _in(r["deadline"], a, b):
        return True
    return early and _in(r["closed_at"], a, b) and r["deadline"] is not None and r["deadline"] > b


def expected_drill(rows: list[dict], rate: str, a: datetime, b: datetime) -> tuple[list, int, int]:
    """(ordered case ids under the 提前结案 rule, total early, total strict) in plain Python."""
    late = lambda r: r["closed_at"] is None or r["closed_at"] > r["deadline"]  # noqa: E731
    sets = {
        "registration_rate": (lambda r: _in(r["accepted_at"], a, b) and r["registered_at"] is None,
                              lambda r: (r["state"] == "作废", r["accepted_at"], r["case_id"])),
        "dispatch_rate": (lambda r: _in(r["registered_at"], a, b) and r["dispatched_at"] is None,
                          lambda r: (r["state"] == "作废", r["registered_at"], r["case_id"])),
        "closure_rate": (lambda r: _due(r, a, b, True) and r["closed_at"] is None,
                         lambda r: (r["deadline"], r["case_id"])),
        "ontime_closure_rate": (lambda r: _due(r, a, b, True) and late(r),
                                lambda r: (r["deadline"], r["case_id"])),
        "rework_rate": (lambda r: _due(r, a, b, True) and r["rework_count"] > 0,
                        lambda r: (r["deadline"] > b, r["deadline"], r["case_id"])),
        "extension_rate": (lambda r: _due(r, a, b, True) and r["extension_count"] > 0,
                           lambda r: (r["deadline"] > b, r["deadline"], r["case_id"])),
    }  # fmt: skip
    keep, order = sets[rate]
    chosen = sorted((r for r in rows if keep(r)), key=order)
    strict = [r for r in chosen if rate not in ("rework_rate", "extension_rate") or not r["deadline"] > b]  # fmt: skip
    return [r["case_id"] for r in chosen], len(chosen), len(strict)


def check_drill(source: SqlSource, drill: dict) -> None:
    """Every (rate, period) list: same total, same first DRILL_CAP cases in the same order."""
    rows = stored(source)
    bounds = period_bounds(NOW)
    assert set(drill["lists"]) == {f"{r}.{p}" for r in RATE_KEYS for p in PERIODS}
    for key, entry in drill["lists"].items():
        rate, period = key.split(".")
        ids, total_early, total_strict = expected_drill(rows, rate, *bounds[period])
        assert entry["total_early"] == total_early, key
        assert entry["total_strict"] == total_strict, key
        assert [r["case_id"] for r in entry["rows"]] == ids[:DRILL_CAP], key
        assert all(type(r["early"]) is int for r in entry["rows"])


def test_drill_lists_match_python_on_every_case(cm_seeded: tuple[SqlSource, list]) -> None:
    source, _ = cm_seeded
    drill = fetch_drill(source, now=NOW)
    check_drill(source, drill)
    lists = drill["lists"]
    # The seeded month has cases behind every rate, and some lists are cut at the cap.
    # (派遣 follows 立案 within the hour, so its list may well be empty at any moment.)
    assert all(lists[f"{r}.month"]["total_early"] > 0 for r in RATE_KEYS if r != "dispatch_rate")
    assert any(v["total_early"] > DRILL_CAP == len(v["rows"]) for v in lists.values())


def counts(data: dict, rule: str) -> dict[str, dict]:
    """The product's raw period counts under one 应结案 rule."""
    return {p: combine(raw, early=rule == "early") for p, raw in data["periods"].items()}


def dept_counts(data: dict, rule: str) -> list[dict]:
    return [combine(d, early=rule == "early") for d in data["departments"]]


def test_drill_totals_agree_with_the_rates_counts(cm_seeded: tuple[SqlSource, list]) -> None:
    """结案率's list is 应结案 − 结案, 按期结案率's 应结案 − 按期结案, under either rule."""
    source, _ = cm_seeded
    drill, data = fetch_drill(source, now=NOW), fetch_cases(source, now=NOW)
    for period in PERIODS:
        early, strict = counts(data, "early")[period], counts(data, "strict")[period]
        lists = {r: drill["lists"][f"{r}.{period}"] for r in RATE_KEYS}
        for rule, n in (("early", early), ("strict", strict)):
            assert lists["closure_rate"][f"total_{rule}"] == n["due"] - n["closed"], period
            assert lists["ontime_closure_rate"][f"total_{rule}"] == n["due"] - n["closed_ontime"]
            assert lists["rework_rate"][f"total_{rule}"] == n["rework"], (period, rule)
            assert lists["extension_rate"][f"total_{rule}"] == n["extended"], (period, rule)
    month = counts(data, "early")["month"]
    assert month["due"] > counts(data, "strict")["month"]["due"] > 0  # 提前结案 exists
    for period in PERIODS:  # one acceptance cohort: 派遣 <= 立案 <= 受理, and the drill agrees
        n = counts(data, "early")[period]
        assert n["dispatched"] <= n["registered"] <= n["accepted"]
        lists = {r: drill["lists"][f"{r}.{period}"] for r in RATE_KEYS}
        assert lists["registration_rate"]["total_early"] == n["accepted"] - n["registered"]
        assert lists["dispatch_rate"]["total_early"] == n["registered"] - n["dispatched"]


def test_history_is_the_first_listed_case_in_order(cm_seeded: tuple[SqlSource, list]) -> None:
    source, _ = cm_seeded
    drill = fetch_drill(source, now=NOW)
    firsts = {v["rows"][0]["case_id"] for v in drill["lists"].values() if v["rows"]}
    assert set(drill["history"]) == firsts
    for case_id, steps in drill["history"].items():
        want = source.fetch(
            sa.select(case_transitions.c.state)
            .where(case_transitions.c.case_id == case_id)
            .order_by(case_transitions.c.seq)
        )
        assert [s["state"] for s in steps] == [r["state"] for r in want]
        assert steps[0]["state"] == "上报"


def expected_cases(source: SqlSource) -> dict[str, Any]:
    rows = stored(source)
    month_a = NOW.replace(day=1, hour=0, minute=0, second=0)
    open_ = [r for r in rows if r["state"] not in FINISHED]
    overdue = [r for r in open_ if r["state"] != "缓办" and r["deadline"] and r["deadline"] < NOW]
    month = [r for r in rows if month_a <= r["reported_at"] <= NOW]
    week = [r for r in rows if NOW - timedelta(days=7) <= r["reported_at"] <= NOW]
    x0, y0, x1, y1 = CORE
    core = [(r["lon"], r["lat"]) for r in week if x0 <= r["lon"] < x1 and y0 <= r["lat"] < y1]
    return {
        "stages": Counter(r["state"] for r in open_),
        "open": Counter(r["county"] for r in open_),
        "overdue_county": Counter(r["county"] for r in overdue),
        "overdue_dept": Counter(r["department"] for r in overdue),
        "categories": Counter((r["kind"], r["category"]) for r in month),
        "grid": grid_counts([(r["lon"], r["lat"]) for r in week], queries.CELL_DEG),
        "core": grid_counts(core, queries.CORE_CELL_DEG),
        "emergencies": sorted(r["case_id"] for r in overdue if r["category"] == "突发事件"),
    }


def check_cases(source: SqlSource, data: dict) -> None:
    want = expected_cases(source)
    assert Counter({r["state"]: r["n"] for r in data["stages"]}) == want["stages"]
    assert {r["county"]: r["open"] for r in data["counties"]} == dict(want["open"])
    assert {r["county"]: r["overdue"] for r in data["counties"] if r["overdue"]} == dict(want["overdue_county"])  # fmt: skip
    assert {r["department"]: r["n"] for r in data["overdue"]} == dict(want["overdue_dept"])
    assert {(r["kind"], r["category"]): r["n"] for r in data["categories"]} == dict(want["categories"])  # fmt: skip
    assert {(r["gx"], r["gy"]): r["n"] for r in data["grid"]} == want["grid"]
    assert {(r["gx"], r["gy"]): r["n"] for r in data["core_grid"]} == want["core"]
    assert sorted(r["case_id"] for r in data["emergencies"]) == want["emergencies"][: queries.EMERGENCY_CAP]  # fmt: skip
    assert data["emergency_total"] == len(want["emergencies"])
    for rule in ("early", "strict"):
        depts = dept_counts(data, rule)
        assert sum(d["due"] for d in depts) == counts(data, rule)["month"]["due"]
        assert all(d["closed_ontime"] <= d["closed"] <= d["due"] for d in depts)


def test_case_aggregates_match_python(cm_seeded: tuple[SqlSource, list]) -> None:
    source, _ = cm_seeded
    data = fetch_cases(source, now=NOW)
    check_cases(source, data)
    assert data["grid"] and data["core_grid"] and data["overdue"]
    assert [r["n"] for r in data["overdue"]] == sorted((r["n"] for r in data["overdue"]), reverse=True)  # fmt: skip
    month = counts(data, "early")["month"]
    assert month["handled"] > 0 and month["handling_s"] > 0


def test_parts_are_counted_per_class_code_and_status(cm_seeded: tuple[SqlSource, list]) -> None:
    source, batches = cm_seeded
    parts = [r for n, recs in batches if n == "city_parts" for r in recs]
    want = Counter((p["part_id"][6:8], p["status"]) for p in parts)
    got = fetch_parts(source, now=NOW)["by_class"]
    assert {(r["major"], r["status"]): r["n"] for r in got} == dict(want)
    assert all(type(r["n"]) is int for r in got)


def test_products_are_bounded_and_json(cm_seeded: tuple[SqlSource, list]) -> None:
    source, _ = cm_seeded
    sizes = {f.__name__: len(orjson.dumps(f(source, now=NOW))) for f in (fetch_parts, fetch_cases, fetch_drill)}  # fmt: skip
    assert sizes["fetch_parts"] < 5_000 and sizes["fetch_cases"] < 60_000, sizes
    assert sizes["fetch_drill"] < 18 * DRILL_CAP * 400, sizes  # bounded lists, not the month
    drill = fetch_drill(source, now=NOW)
    assert all(len(v["rows"]) <= DRILL_CAP for v in drill["lists"].values())


def test_every_value_is_a_bound_parameter() -> None:
    statements = [
        queries.PARTS_BY_CLASS, queries.CATEGORIES, queries.COUNTIES, queries.EMERGENCIES,
        queries.GRID, queries.CORE_GRID, queries.DRILL_TOTALS, *queries.DRILL_LISTS.values(),
    ]  # fmt: skip
    for stmt in statements:
        text = str(stmt.compile())
        assert "城管" not in text and "2026" not in text and "突发事件" not in text, text
    for stmt in queries.DRILL_LISTS.values():
        params = stmt.compile().params
        assert {"a", "b", "source", "cap"} <= set(params)
        assert "LIMIT" in str(stmt.compile()).upper()
    assert {"x0", "x1", "y0", "y1", "cell"} <= set(queries.CORE_GRID.compile().params)


def test_empty_store_reads_as_empty(tmp_path: Any) -> None:
    source = SqlSource("citydb", f"sqlite:///{tmp_path / 'empty.db'}")
    source.create_tables(metadata)
    try:
        assert fetch_parts(source, now=NOW)["by_class"] == []
        data = fetch_cases(source, now=NOW)
        assert data["stages"] == [] and data["overdue"] == [] and data["grid"] == []
        assert counts(data, "early")["month"]["due"] == 0 and data["emergency_total"] == 0
        drill = fetch_drill(source, now=NOW)
        assert all(v == {"total_early": 0, "total_strict": 0, "rows": []} for v in drill["lists"].values())  # fmt: skip
        assert drill["history"] == {}
    finally:
        source.close()


@pytest.mark.postgres
def test_reads_match_on_postgresql(pg_url: str, cm_geo: Any) -> None:
    source = SqlSource("citydb", pg_url)
    try:
        ingest_sim(source, cm_geo)
        check_drill(source, fetch_drill(source, now=NOW))
        data = fetch_cases(source, now=NOW)
        check_cases(source, data)
        parts = fetch_parts(source, now=NOW)["by_class"]
        assert parts and all(type(r["n"]) is int and len(r["major"]) == 2 for r in parts)
        assert all(type(d["due"]) is int for d in data["departments"])  # not Decimal: JSON
        orjson.dumps(data)
    finally:
        source.close()
