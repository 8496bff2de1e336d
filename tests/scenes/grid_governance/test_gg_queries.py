"""The 网格化治理 reads against real SQLite and PostgreSQL fed through the ingest path, checked
against the same counts computed in Python from the raw simulator records."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest

from data_sources.case_stats import period_counts
from data_sources.datasets import metadata
from data_sources.sql import SqlSource
from indicators.cases import FINISHED
from scenes.grid_governance import queries
from scenes.grid_governance.options import DETAIL_CAP, Options
from scenes.grid_governance.queries import fetch_detail, fetch_grids, fetch_stats
from tests.scenes.grid_governance.conftest import DAYS, NOW, ingest_sim

DONE = {s.value for s in FINISHED}


def _records(batches: list, name: str) -> list[dict]:
    return [r for n, recs in batches if n == name for r in recs]


def replayed(batches: list) -> dict[str, dict[str, Any]]:
    """Each case's report with its state, deadline and first 结案 time after all its steps."""
    cases = {r["case_id"]: {**r, "state": "上报", "deadline": None, "closed_at": None} for r in _records(batches, "cases")}  # fmt: skip
    steps = {(s["case_id"], s["ts"], s["state"]): s for s in _records(batches, "case_transitions")}
    for s in sorted(steps.values(), key=lambda s: (s["case_id"], s["ts"])):
        case = cases[s["case_id"]]
        case["state"] = s["state"]
        case["deadline"] = s.get("deadline") or case["deadline"]
        if s["state"] == "结案" and case["closed_at"] is None:
            case["closed_at"] = s["ts"]
    return cases


def expected_per_grid(batches: list, now: datetime) -> dict[str, tuple[int, int, int, int]]:
    """(open, overdue, today, closed_today) per grid, for grids with any of them."""
    day, until = now.replace(hour=0, minute=0, second=0, microsecond=0), now + queries.FUTURE_SLACK
    out: dict[str, list[int]] = {}
    for c in replayed(batches).values():
        is_open = c["state"] not in DONE
        row = [
            is_open,
            is_open and c["state"] != "缓办" and c["deadline"] is not None and c["deadline"] < now,
            day <= c["reported_at"] <= until,
            c["closed_at"] is not None and day <= c["closed_at"] <= until,
        ]
        if any(row):
            acc = out.setdefault(c["grid_code"], [0, 0, 0, 0])
            for i, v in enumerate(row):
                acc[i] += int(v)
    return {k: tuple(v) for k, v in out.items()}


def _per_grid(data: dict) -> dict[str, tuple[int, int, int, int]]:
    return {r["grid_code"]: (r["open"], r["overdue"], r["today"], r["closed_today"]) for r in data["per_grid"]}  # fmt: skip


def test_counts_per_grid_match_the_raw_records(gg_seeded: tuple[SqlSource, list]) -> None:
    source, batches = gg_seeded
    data = fetch_stats(source, now=NOW)
    want = expected_per_grid(batches, NOW)
    assert _per_grid(data) == want
    totals = [sum(v[i] for v in want.values()) for i in range(4)]
    assert all(t > 0 for t in totals), totals  # open, overdue, today and closed today all occur
    by_cat = data["per_category"]
    for i, key in enumerate(("open", "overdue", "today", "closed_today")):
        assert sum(r[key] for r in by_cat) == totals[i]


def test_hourly_trend_and_yesterday_same_time(gg_seeded: tuple[SqlSource, list]) -> None:
    source, batches = gg_seeded
    data = fetch_stats(source, now=NOW)
    cases = replayed(batches).values()
    since = NOW.replace(minute=0, second=0) - timedelta(hours=23)
    until = NOW + queries.FUTURE_SLACK
    reported = Counter(f"{c['reported_at']:%Y-%m-%d %H}" for c in cases if since <= c["reported_at"] <= until)  # fmt: skip
    assert {r["hour"]: r["n"] for r in data["hourly_reported"]} == dict(reported)
    assert 20 <= len(data["hourly_reported"]) <= 24  # night hours may have no report
    closed = Counter(f"{c['closed_at']:%Y-%m-%d %H}" for c in cases if c["closed_at"] and since <= c["closed_at"] <= until)  # fmt: skip
    assert {r["hour"]: r["n"] for r in data["hourly_closed"]} == dict(closed)
    y0 = NOW.replace(hour=0, minute=0, second=0) - timedelta(days=1)
    assert data["yesterday_same_time"] == sum(1 for c in cases if y0 <= c["reported_at"] <= NOW - timedelta(days=1)) > 0  # fmt: skip


def test_period_counts_are_the_shared_case_stats(gg_seeded: tuple[SqlSource, list]) -> None:
    source, _ = gg_seeded
    data = fetch_stats(source, now=NOW)
    assert data["periods"] == period_counts(source, "网格", NOW)
    month = data["periods"]["month"]
    assert 0 < month["closed"] <= month["due"] and month["closed_ontime"] <= month["closed"]


def test_detail_lists_are_bounded_and_newest_first(gg_seeded: tuple[SqlSource, list]) -> None:
    source, batches = gg_seeded
    data = fetch_detail(source, now=NOW)
    cases = replayed(batches)
    open_per_grid = Counter(c["grid_code"] for c in cases.values() if c["state"] not in DONE)
    listed = Counter(e["grid_code"] for e in data["events"])
    assert listed == Counter({g: min(n, DETAIL_CAP) for g, n in open_per_grid.items()})
    assert all(cases[e["case_id"]]["state"] == e["state"] not in DONE for e in data["events"])
    for grid in listed:
        times = [e["reported_at"] for e in data["events"] if e["grid_code"] == grid]
        assert times == sorted(times, reverse=True)
    members = _records(batches, "grid_members")
    assert {m["member_id"] for m in data["members"]} == {m["member_id"] for m in members}
    assert len(data["grids"]) == 300 and all(g["generated"] is True for g in data["grids"])
    assert Options().detail_rows <= data["cap"] == DETAIL_CAP


def test_cap_is_a_bound_parameter_and_applies(gg_seeded: tuple[SqlSource, list]) -> None:
    source, _ = gg_seeded
    assert "cap" in queries.OPEN_EVENTS.compile().params
    rows = source.fetch(queries.OPEN_EVENTS, {"source": "网格", "cap": 1})
    assert len(rows) == len({r["grid_code"] for r in rows})
    for stmt in (queries.PER_GRID, queries.HOURLY_REPORTED, queries.COUNT_REPORTED):
        compiled = str(stmt.compile())
        assert "2026" not in compiled and "网格" not in compiled


def test_grids_product_carries_parsed_wgs84_geometry(gg_seeded: tuple[SqlSource, list]) -> None:
    source, _ = gg_seeded
    data = fetch_grids(source, now=NOW)
    assert len(data["cells"]) == 300
    cell = data["cells"][0]
    assert cell["geometry"]["type"] in ("Polygon", "MultiPolygon") and cell["generated"] is True
    assert cell["grid_code"].startswith(cell["township_code"]) and cell["township_code"].startswith(cell["county"])  # fmt: skip
    size = sum(
        len(orjson.dumps(f(source, now=NOW))) for f in (fetch_grids, fetch_stats, fetch_detail)
    )
    assert size < 600_000


def test_empty_store_reads_as_empty(tmp_path: Any) -> None:
    source = SqlSource("citydb", f"sqlite:///{tmp_path / 'empty.db'}")
    source.create_tables(metadata)
    stats = fetch_stats(source, now=NOW)
    assert (
        stats["per_grid"] == []
        and stats["hourly_reported"] == []
        and stats["yesterday_same_time"] == 0
    )
    assert stats["periods"]["month"]["due"] == 0
    detail = fetch_detail(source, now=NOW)
    assert detail["events"] == detail["members"] == detail["grids"] == []
    assert fetch_grids(source, now=NOW)["cells"] == []
    source.close()


@pytest.mark.postgres
def test_reads_match_on_postgresql(pg_url: str, gg_geo: Any) -> None:
    source = SqlSource("citydb", pg_url)
    try:
        batches = ingest_sim(source, gg_geo, now=NOW, days=DAYS)
        stats = fetch_stats(source, now=NOW)
        assert _per_grid(stats) == expected_per_grid(batches, NOW)
        assert all(type(r["open"]) is int for r in stats["per_grid"])  # not Decimal
        assert 20 <= len(stats["hourly_reported"]) <= 24
        detail = fetch_detail(source, now=NOW)
        open_per_grid = Counter(c["grid_code"] for c in replayed(batches).values() if c["state"] not in DONE)  # fmt: skip
        assert Counter(e["grid_code"] for e in detail["events"]) == Counter({g: min(n, DETAIL_CAP) for g, n in open_per_grid.items()})  # fmt: skip
        assert len(fetch_grids(source, now=NOW)["cells"]) == 300
        orjson.dumps(stats)
        orjson.dumps(detail)
    finally:
        source.close()
