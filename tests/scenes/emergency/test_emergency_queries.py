"""The 应急管理 reads against a real SQLite file (and PostgreSQL) fed through the ingest path."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest

from data_sources.sql import SqlSource
from scenes.emergency import queries
from scenes.emergency.queries import fetch_events, fetch_sites
from tests.scenes.emergency.conftest import EMG_NOW, emg_feed


def _dt(v: Any) -> datetime:
    return v if isinstance(v, datetime) else datetime.fromisoformat(v)


def test_events_are_active_or_recent_with_their_timelines(emg_source: SqlSource) -> None:
    data = fetch_events(emg_source, now=EMG_NOW)
    assert data["events"], "the simulator always has events in two days"
    for e in data["events"]:
        assert e["status"] == "处置中" or _dt(e["started_at"]) >= EMG_NOW - timedelta(hours=24)
        assert e["grade"] in {"I", "II", "III", "IV"}
    ids = {e["event_id"] for e in data["events"]}
    assert {r["event_id"] for r in data["log"]} <= ids
    assert all(_dt(r["ts"]) <= EMG_NOW + timedelta(hours=1) for r in data["log"])
    keys = [(r["event_id"], _dt(r["ts"])) for r in data["log"]]
    assert keys == sorted(keys)


def test_warnings_are_those_in_force(emg_source: SqlSource) -> None:
    data = fetch_events(emg_source, now=EMG_NOW)
    for w in data["warnings"]:
        assert (
            _dt(w["issued_at"])
            <= EMG_NOW + timedelta(hours=1)
            < _dt(w["expires_at"]) + timedelta(hours=1)
        )
        assert _dt(w["expires_at"]) > EMG_NOW


def test_sites_have_latest_reading_per_sensor(emg_source: SqlSource) -> None:
    data = fetch_sites(emg_source, now=EMG_NOW)
    assert len(data["sensors"]) == 20 and len(data["risks"]) == 21
    assert {r["kind"] for r in data["resources"]} == {"shelter", "rescue_team", "depot"}
    latest = {r["sensor_id"]: _dt(r["ts"]) for r in data["readings"]}
    assert set(latest) == {s["sensor_id"] for s in data["sensors"]}
    assert set(latest.values()) == {EMG_NOW.replace(second=0)}  # the live minute
    orjson.dumps(data)


def test_queries_bind_their_times() -> None:
    for stmt in (queries.EVENTS, queries.WARNINGS, queries.LATEST_READINGS):
        compiled = stmt.compile()
        assert "2026" not in str(compiled)
        assert {"until"} <= set(compiled.params)


def test_empty_store_reads_as_empty_lists(tmp_path: Any) -> None:
    from data_sources.datasets import metadata

    source = SqlSource("citydb", f"sqlite:///{tmp_path / 'e.db'}")
    source.create_tables(metadata)
    assert fetch_events(source, now=EMG_NOW)["events"] == []
    assert fetch_sites(source, now=EMG_NOW)["readings"] == []
    source.close()


@pytest.mark.postgres
def test_reads_work_on_postgresql(pg_url: str, emg_geo: Any) -> None:
    source = SqlSource("citydb", pg_url)
    try:
        emg_feed(source, emg_geo, now=EMG_NOW, days=1)
        events, sites = fetch_events(source, now=EMG_NOW), fetch_sites(source, now=EMG_NOW)
        assert events["events"] and events["log"]
        assert len(sites["readings"]) == 20
        orjson.dumps(events)
    finally:
        source.close()
