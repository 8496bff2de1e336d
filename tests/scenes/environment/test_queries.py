"""The environment reads against a real SQLite file fed through the ingest path."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest

from data_sources.datasets import metadata
from data_sources.ingest import IngestService
from data_sources.memory import MemoryBackend
from data_sources.sql import SqlSource
from scenes.environment import queries
from scenes.environment.queries import fetch_air, fetch_water


def _ts(row: dict[str, Any]) -> datetime:
    return row["ts"] if isinstance(row["ts"], datetime) else datetime.fromisoformat(row["ts"])


def test_fetch_air_returns_stations_and_only_the_last_48_hours(
    seeded_source: SqlSource, now: datetime
) -> None:
    data = fetch_air(seeded_source, now=now)
    assert len(data["stations"]) == 20
    assert {"station_id", "name", "county", "lon", "lat"} <= set(data["stations"][0])
    times = sorted({_ts(r) for r in data["readings"]})
    assert times[0] >= now - timedelta(hours=48)
    assert times[-1] == now.replace(minute=0, second=0)  # the running hour from the live feed
    assert len(times) == 48
    assert len(data["readings"]) == 20 * 48
    # ordered by time, then station, so the transform can rely on it
    keys = [(_ts(r), r["station_id"]) for r in data["readings"]]
    assert keys == sorted(keys)


def test_fetch_air_window_follows_now_through_a_bound_parameter(
    seeded_source: SqlSource, now: datetime
) -> None:
    earlier = fetch_air(seeded_source, now=now - timedelta(hours=24))
    assert max(_ts(r) for r in earlier["readings"]) <= now - timedelta(hours=23)
    compiled = queries.AIR_READINGS.compile()
    assert {"since", "until"} <= set(compiled.params)
    assert "2026" not in str(compiled)  # no literal time in the SQL text


def test_fetch_air_ignores_rows_from_the_far_future(
    tmp_path: Any, geo: Any, feed: Any, now: datetime
) -> None:
    source = SqlSource("citydb", f"sqlite:///{tmp_path / 'f.db'}")
    service = feed(source, geo, now=now, days=1)
    future = (now + timedelta(hours=6)).replace(minute=0, second=0)
    service.ingest("air_hourly", [{"station_id": "AQ37150201", "ts": future, "pm25": 999}])
    data = fetch_air(source, now=now)
    assert all(_ts(r) < future for r in data["readings"])
    source.close()


def test_fetch_water_gives_latest_sample_per_section_and_a_week(
    seeded_source: SqlSource, now: datetime
) -> None:
    data = fetch_water(seeded_source, now=now)
    assert len(data["sections"]) == 10
    assert {s["target_class"] for s in data["sections"]} <= {3, 4, 5}
    latest = {r["section_id"]: _ts(r) for r in data["latest"]}
    assert set(latest) == {s["section_id"] for s in data["sections"]}
    for sid, ts in latest.items():
        assert ts == max(_ts(r) for r in data["trend"] if r["section_id"] == sid)
    assert min(_ts(r) for r in data["trend"]) >= now - timedelta(days=7)


def test_results_are_json_ready(seeded_source: SqlSource, now: datetime) -> None:
    for data in (fetch_air(seeded_source, now=now), fetch_water(seeded_source, now=now)):
        orjson.dumps(data)  # strict: plain str keys, datetimes allowed
        assert all(type(k) is str for row in next(iter(data.values())) for k in row)


def test_empty_store_reads_as_empty_lists(tmp_path: Any, now: datetime) -> None:
    source = SqlSource("citydb", f"sqlite:///{tmp_path / 'empty.db'}")
    source.create_tables(metadata)
    IngestService(source, MemoryBackend())
    assert fetch_air(source, now=now)["readings"] == []
    water = fetch_water(source, now=now)
    assert water["sections"] == [] and water["latest"] == [] and water["trend"] == []
    source.close()


def test_default_now_is_local_wall_time(seeded_source: SqlSource) -> None:
    data = fetch_air(seeded_source)  # the hub calls fetch(source) with no clock
    assert isinstance(data["since"], datetime) and data["since"].tzinfo is None


@pytest.mark.postgres
def test_reads_work_on_postgresql(pg_url: str, geo: Any, feed: Any, now: datetime) -> None:
    source = SqlSource("citydb", pg_url)
    try:
        feed(source, geo, now=now, days=2)
        air, water = fetch_air(source, now=now), fetch_water(source, now=now)
        assert len(air["stations"]) == 20 and len(air["readings"]) == 20 * 48
        assert len(water["latest"]) == 10 and water["trend"]
        orjson.dumps(air)
    finally:
        source.close()
