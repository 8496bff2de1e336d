"""The 公共安全 reads against real SQLite (and PostgreSQL) fed through the ingest path."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest

from data_sources.datasets import metadata
from data_sources.sql import SqlSource
from indicators.public_safety import grid_counts
from scenes.public_safety import queries
from scenes.public_safety.queries import fetch_alarms, fetch_areas, fetch_status
from tests.scenes.public_safety.conftest import NOW, ingest_sim


def _alarms(batches: list) -> list[dict]:
    return [r for n, recs in batches if n == "public_safety_alarms" for r in recs]


def expected_alarm_stats(batches: list, now: datetime) -> dict[str, Any]:
    """The same aggregates computed in Python from the raw simulator records."""
    raw = {r["alarm_id"]: r for r in _alarms(batches)}.values()  # live repeats history: dedupe
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    until = now + queries.FUTURE_SLACK
    hourly = Counter(f"{r['ts']:%Y-%m-%d %H}" for r in raw if today - timedelta(days=7) <= r["ts"] <= until)  # fmt: skip
    recent = [(r["lon"], r["lat"]) for r in raw if now - timedelta(hours=24) <= r["ts"] <= until]
    yesterday = sum(1 for r in raw if today - timedelta(days=1) <= r["ts"] <= now - timedelta(days=1))  # fmt: skip
    return {"hourly": hourly, "grid": grid_counts(recent, queries.CELL_DEG), "yesterday": yesterday}


def test_alarm_aggregates_match_the_raw_records(ps_seeded: tuple[SqlSource, list]) -> None:
    source, batches = ps_seeded
    data = fetch_alarms(source, now=NOW)
    want = expected_alarm_stats(batches, NOW)
    assert {r["hour"]: r["n"] for r in data["hourly"]} == dict(want["hourly"])
    assert {(r["gx"], r["gy"]): r["n"] for r in data["grid"]} == want[
        "grid"
    ]  # SQL floor == pure floor
    assert data["yesterday_same_time"] == want["yesterday"] > 0
    today = [r for r in data["hourly"] if r["hour"].startswith("2026-11-29")]
    assert sum(r["n"] for r in data["county_hourly"]) == sum(r["n"] for r in today)
    days = {r["day"] for r in data["daily"]}
    assert min(days) == "2026-11-23" and max(days) == "2026-11-29" and len(days) == 7


def test_product_is_aggregates_and_small(ps_seeded: tuple[SqlSource, list]) -> None:
    source, batches = ps_seeded
    size = sum(
        len(orjson.dumps(f(source, now=NOW))) for f in (fetch_alarms, fetch_areas, fetch_status)
    )
    assert size < 100_000
    data = fetch_alarms(source, now=NOW)
    assert len(data["grid"]) < len(_alarms(batches))  # cells, not points
    assert not any("alarm_id" in r or "lon" in r for rows in data.values() if isinstance(rows, list) for r in rows)  # fmt: skip


def test_areas_cameras_and_cases(ps_seeded: tuple[SqlSource, list]) -> None:
    source, _ = ps_seeded
    areas = fetch_areas(source, now=NOW)
    assert len(areas["areas"]) == 12 and len(areas["latest"]) == 12
    assert {r["ts"] for r in areas["latest"]} == {datetime(2026, 11, 29, 17, 40)}
    status = fetch_status(source, now=NOW)
    assert len(status["cameras"]) == 8 and all(c["online"] <= c["total"] for c in status["cameras"])
    assert len(status["cases"]) == 8
    assert all(isinstance(c["registered"], int) and c["solved"] <= c["registered"] for c in status["cases"])  # fmt: skip
    assert status["case_from"] == datetime(2026, 10, 31).date()


def test_windows_are_bound_parameters() -> None:
    for stmt in (queries.HOURLY, queries.GRID, queries.COUNT, queries.CROWDS_LATEST):
        compiled = stmt.compile()
        assert "until" in compiled.params and "2026" not in str(compiled)
    assert {"since", "until", "cell"} <= set(queries.GRID.compile().params)


def test_empty_store_reads_as_empty(tmp_path: Any) -> None:
    source = SqlSource("citydb", f"sqlite:///{tmp_path / 'empty.db'}")
    source.create_tables(metadata)
    data = fetch_alarms(source, now=NOW)
    assert data["hourly"] == [] and data["grid"] == [] and data["yesterday_same_time"] == 0
    assert fetch_areas(source, now=NOW)["areas"] == []
    assert fetch_status(source, now=NOW)["cases"] == []
    source.close()


@pytest.mark.postgres
def test_reads_match_on_postgresql(pg_url: str, ps_geo: Any) -> None:
    source = SqlSource("citydb", pg_url)
    try:
        batches = ingest_sim(source, ps_geo, now=NOW, days=8)
        data = fetch_alarms(source, now=NOW)
        want = expected_alarm_stats(batches, NOW)
        assert {r["hour"]: r["n"] for r in data["hourly"]} == dict(want["hourly"])
        assert {(r["gx"], r["gy"]): r["n"] for r in data["grid"]} == want["grid"]
        assert data["yesterday_same_time"] == want["yesterday"]
        status = fetch_status(source, now=NOW)
        assert all(type(c["registered"]) is int for c in status["cases"])  # not Decimal
        assert len(fetch_areas(source, now=NOW)["latest"]) == 12
        orjson.dumps(data)
    finally:
        source.close()
