"""The traffic reads against a real SQLite file (and PostgreSQL) fed through the ingest path."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson

from data_sources.sql import SqlSource
from indicators.traffic import segment_dtp
from scenes.traffic import queries
from scenes.traffic.queries import fetch_live, fetch_network
from tests.scenes.traffic.conftest import NOW, as_hub_sees, feed_traffic


def _ts(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def test_network_has_every_segment_and_5_minute_series(traffic_source: SqlSource) -> None:
    data = fetch_network(traffic_source, now=NOW)
    assert len(data["segments"]) == 511
    assert {s["setting"] for s in data["segments"]} == {"urban", "intercity"}
    assert isinstance(data["segments"][0]["path"], list) and len(data["segments"][0]["path"]) >= 2
    today = [_ts(r[0]) for r in data["urban"]["today"]]
    assert today[0] == datetime(2026, 11, 27) and today[-1] <= NOW
    assert all(t.minute % 5 == 0 for t in today)  # live per-minute rows stay out
    assert len(today) == len(set(today)) == 17 * 12 + 9  # 00:00..17:40
    week = [_ts(r[0]) for r in data["urban"]["last_week"]]
    assert week[0] == datetime(2026, 11, 20) and len(week) == 96  # 15-min history a week ago
    urban_km = sum(s["length_m"] for s in data["segments"] if s["setting"] == "urban")
    assert data["urban"]["today"][0][2] == urban_km
    all_km = sum(s["length_m"] for s in data["segments"])
    assert abs(data["all"]["today"][0][2] - all_km) < 1e-6
    assert "东昌路" in data["roads"] and "G309国道" in data["roads"]
    assert all(_ts(t).date() == NOW.date() for t, _ in data["roads"]["东昌路"])


def test_sql_dtp_matches_the_indicator(traffic_source: SqlSource) -> None:
    data = fetch_network(traffic_source, now=NOW)
    live = fetch_live(traffic_source, now=NOW)
    speeds = {r["segment_id"]: r for r in live["speeds"]}
    slot = datetime(2026, 11, 27, 17, 40)
    import sqlalchemy as sa

    from data_sources.datasets.traffic import traffic_speed

    rows = traffic_source.fetch(sa.select(traffic_speed).where(traffic_speed.c.ts == slot))
    at = {r["segment_id"]: r["speed_kmh"] for r in rows}
    segs = [s for s in data["segments"] if s["setting"] == "urban"]
    expected = sum(
        s["length_m"] * segment_dtp(s["length_m"], at[s["segment_id"]], s["free_flow_kmh"])
        for s in segs
    )
    row = next(r for r in data["urban"]["today"] if _ts(r[0]) == slot)
    assert abs(row[1] - expected) < 1e-6
    assert len(speeds) == 511


def test_live_latest_speed_per_segment_incidents_and_vehicles(traffic_source: SqlSource) -> None:
    live = fetch_live(traffic_source, now=NOW)
    assert {_ts(r["ts"]) for r in live["speeds"]} == {NOW.replace(second=0)}
    assert all(r["speed_kmh"] >= 0 for r in live["speeds"])
    assert all(_ts(i["ts"]) <= NOW for i in live["incidents"])
    assert {i["kind"] for i in live["incidents"]} <= {"accident", "construction", "closure"}
    assert len(live["vehicles"]["bus"]) == 120 and len(live["vehicles"]["taxi"]) == 480
    later = fetch_live(traffic_source, now=NOW + timedelta(minutes=30))
    assert later["speeds"] == [] and later["vehicles"] == {"bus": [], "taxi": []}  # all too old


def test_reads_use_bound_parameters_only() -> None:
    for stmt, names in (
        (queries.NETWORK_SERIES, {"since", "until", "settings"}),
        (queries.LATEST_SPEEDS, {"since", "until"}),
        (queries.INCIDENTS, {"since", "until"}),
        (queries.VEHICLES, {"since", "until"}),
    ):
        compiled = stmt.compile()
        assert names <= set(compiled.params)
        assert "2026" not in str(compiled)


def test_results_are_json_ready(traffic_source: SqlSource) -> None:
    for data in (fetch_network(traffic_source, now=NOW), fetch_live(traffic_source, now=NOW)):
        assert as_hub_sees(data)
        orjson.dumps(data)


def test_empty_store_reads_as_empty(tmp_path: Any) -> None:
    from data_sources.datasets import metadata

    source = SqlSource("citydb", f"sqlite:///{tmp_path / 'e.db'}")
    source.create_tables(metadata)
    net, live = fetch_network(source, now=NOW), fetch_live(source, now=NOW)
    assert net["segments"] == [] and net["urban"]["today"] == [] and net["roads"] == {}
    assert live["speeds"] == [] and live["incidents"] == []
    source.close()


def test_postgresql_reads_match(pg_url: str, traffic_geo: Any) -> None:
    source = SqlSource("citydb", pg_url)
    try:
        feed_traffic(source, traffic_geo, now=NOW, days=1, vehicles=50)
        net = fetch_network(source, now=NOW)
        live = fetch_live(source, now=NOW)
        assert len(net["segments"]) == 511
        today = [_ts(r[0]) for r in net["urban"]["today"]]
        assert today[0] == datetime(2026, 11, 27) and all(t.minute % 5 == 0 for t in today)
        assert len(today) == 17 * 12 + 9
        assert len(live["speeds"]) == 511
        assert len(live["vehicles"]["bus"]) + len(live["vehicles"]["taxi"]) == 50
        assert isinstance(net["segments"][0]["path"], list)
    finally:
        source.close()
