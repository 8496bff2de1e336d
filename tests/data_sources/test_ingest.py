"""IngestService on SQLite and PostgreSQL, announcing on the real Redis bus."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from data_sources.datasets import DATASETS, metadata
from data_sources.ingest import IngestService, Rejection, StoreUnavailable, UnknownDataset
from data_sources.redis_bus import RedisBackend
from data_sources.sql import SqlSource
from tests.conftest import Recorder, subscribe_ready, wait_until

HOURLY = DATASETS["air_hourly"].table
STATIONS = DATASETS["air_stations"].table


def hourly(station: str = "LC001", ts: str = "2026-11-29T08:00:00+08:00", **values: Any) -> dict:
    """One air_hourly record."""
    return {"station_id": station, "ts": ts, "pm25": 35.0, "pm10": 60.0, **values}


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Iterator[SqlSource]:
    """The ingest store on the embedded SQLite file and on the real PostgreSQL."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    source = SqlSource("citydb", url, timeout_s=2)
    source.create_tables(metadata)
    yield source
    source.close()


@pytest.fixture
def bus(redis_backend: RedisBackend) -> RedisBackend:
    """The real Redis bus under this test's prefix."""
    return redis_backend


@pytest.fixture
def announced(bus: RedisBackend) -> Iterator[Recorder]:
    """Everything published on `ingest.*` during the test (probe messages excluded)."""
    sub, recorder = subscribe_ready(bus, "ingest.*", "ingest.__probe__")
    yield recorder
    sub.close()


def rows(store: SqlSource, table: sa.Table = HOURLY) -> list[dict]:
    """The table's rows in key order."""
    keys = list(table.primary_key.columns)
    return store.fetch(sa.select(table).order_by(*keys))


def test_accepted_records_are_stored_and_announced(
    store: SqlSource, bus: RedisBackend, announced: Recorder
) -> None:
    service = IngestService(store, bus)
    result = service.ingest(
        "air_hourly",
        [hourly("LC001", pm25=35.0), hourly("LC002", ts="2026-11-29T00:00:00Z", pm25=80.5)],
    )
    assert (result.accepted, result.rejected, result.published) == (2, [], True)
    stored = rows(store)
    assert [(r["station_id"], r["ts"], r["pm25"]) for r in stored] == [
        ("LC001", datetime(2026, 11, 29, 8, 0), 35.0),
        ("LC002", datetime(2026, 11, 29, 8, 0), 80.5),  # UTC converted to local wall time
    ]
    message = wait_until(lambda: announced.on("ingest.air_hourly"))[0]
    assert message["count"] == 2
    assert datetime.fromisoformat(message["at"])
    assert result.as_dict() == {
        "dataset": "air_hourly",
        "accepted": 2,
        "rejected": [],
        "published": True,
    }


def test_rejections_name_index_field_value_and_reason(store: SqlSource, bus: RedisBackend) -> None:
    service = IngestService(store, bus)
    batch: list[Any] = [
        hourly("LC001"),
        hourly("LC002", pm25=-5),
        hourly("LC003", colour="red"),
        hourly("LC004", pm25="abc"),
        {"ts": "2026-11-29T08:00:00+08:00", "pm25": 1.0},
        5,
        hourly("LC005", pm25=3001),
        hourly("bad id!"),
    ]
    result = service.ingest("air_hourly", batch)
    assert result.accepted == 1
    got = {r.index: r for r in result.rejected}
    assert sorted(got) == [1, 2, 3, 4, 5, 6, 7]
    assert got[1] == Rejection(1, "pm25", -5, "must be >= 0")
    assert got[2] == Rejection(2, "colour", "red", "unknown field")
    assert (got[3].field, got[3].value) == ("pm25", "abc")
    assert "number" in got[3].reason
    assert got[4] == Rejection(4, "station_id", None, "is required")
    assert got[5] == Rejection(5, "(record)", 5, "must be a JSON object")
    assert got[6] == Rejection(6, "pm25", 3001, "must be <= 3000")
    assert (got[7].field, got[7].value) == ("station_id", "bad id!")
    assert got[7].reason.startswith("does not match")
    assert [r["station_id"] for r in rows(store)] == ["LC001"]
    body = orjson.loads(orjson.dumps(result.as_dict()))  # the API answers with exactly this
    assert body["rejected"][0] == {
        "index": 1,
        "field": "pm25",
        "value": -5,
        "reason": "must be >= 0",
    }


def test_duplicates_in_a_batch_last_wins(store: SqlSource, bus: RedisBackend) -> None:
    result = IngestService(store, bus).ingest(
        "air_hourly", [hourly(pm25=10.0), hourly("LC002"), hourly(pm25=20.0)]
    )
    assert result.accepted == 2
    assert [(r["station_id"], r["pm25"]) for r in rows(store)] == [("LC001", 20.0), ("LC002", 35.0)]


def test_same_key_in_a_later_batch_updates_the_row(store: SqlSource, bus: RedisBackend) -> None:
    service = IngestService(store, bus)
    station = {
        "station_id": "LC001",
        "name": "聊城大学",
        "county": "371502",
        "lon": 115.98,
        "lat": 36.45,
    }
    assert service.ingest("air_stations", [station]).accepted == 1
    assert service.ingest("air_stations", [{**station, "name": "聊城大学东校区"}]).accepted == 1
    assert [r["name"] for r in rows(store, STATIONS)] == ["聊城大学东校区"]
    service.ingest("air_hourly", [hourly(pm25=20.0)])
    service.ingest("air_hourly", [hourly(pm25=30.0, so2=4.0)])
    (row,) = rows(store)
    assert (row["pm25"], row["so2"]) == (30.0, 4.0)


def test_records_accepted_earlier_survive_a_later_bad_batch(
    store: SqlSource, bus: RedisBackend, announced: Recorder
) -> None:
    service = IngestService(store, bus)
    assert service.ingest("air_hourly", [hourly("LC001"), hourly("LC002")]).accepted == 2
    wait_until(lambda: announced.on("ingest.air_hourly"))
    bad = service.ingest("air_hourly", [hourly("LC001", pm25=-1), {"nope": 1}, "x"])
    assert (bad.accepted, len(bad.rejected), bad.published) == (0, 3, False)
    time.sleep(0.2)
    assert len(announced.on("ingest.air_hourly")) == 1, (
        "a batch with nothing stored is not announced"
    )
    assert [(r["station_id"], r["pm25"]) for r in rows(store)] == [("LC001", 35.0), ("LC002", 35.0)]
    mixed = service.ingest("air_hourly", [hourly("LC001", pm25=-1), hourly("LC003")])
    assert (mixed.accepted, [r.index for r in mixed.rejected]) == (1, [0])
    assert [r["station_id"] for r in rows(store)] == ["LC001", "LC002", "LC003"]
    assert rows(store)[0]["pm25"] == 35.0


def test_unknown_dataset_is_refused(store: SqlSource, bus: RedisBackend) -> None:
    with pytest.raises(UnknownDataset):
        IngestService(store, bus).ingest("air_hourlyy", [hourly()])


def test_store_outage_raises_store_unavailable_and_announces_nothing(
    pg_url: str, bus: RedisBackend, announced: Recorder
) -> None:
    dead = SqlSource("citydb", "postgresql+psycopg://postgres@127.0.0.1:1/test", timeout_s=1)
    try:
        with pytest.raises(StoreUnavailable, match="citydb"):
            IngestService(dead, bus).ingest("air_hourly", [hourly()])
    finally:
        dead.close()
    time.sleep(0.2)
    assert announced.on("ingest.air_hourly") == []
    live = SqlSource("citydb", pg_url, timeout_s=2)
    try:
        live.create_tables(metadata)
        assert rows(live) == [], "nothing from the refused batch reached the store"
    finally:
        live.close()


REFUSE_TRIGGER = {
    "postgresql": [
        "CREATE FUNCTION refuse_999() RETURNS trigger AS $$ BEGIN "
        "IF NEW.pm25 = 999 THEN RAISE EXCEPTION 'store refused the row'; END IF; "
        "RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON air_hourly "
        "FOR EACH ROW EXECUTE FUNCTION refuse_999()",
    ],
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON air_hourly WHEN NEW.pm25 = 999 "
        "BEGIN SELECT RAISE(ABORT, 'store refused the row'); END"
    ],
}


def test_a_batch_the_store_fails_midway_is_not_half_written(
    store: SqlSource, bus: RedisBackend, announced: Recorder
) -> None:
    service = IngestService(store, bus)
    service.ingest("air_hourly", [hourly("LC001")])
    with store.engine.begin() as conn:
        for ddl in REFUSE_TRIGGER[store.dialect]:
            conn.exec_driver_sql(ddl)
    batch = [hourly("LC002"), hourly("LC003"), hourly("LC004", pm25=999.0), hourly("LC005")]
    with pytest.raises(StoreUnavailable, match="store refused the row"):
        service.ingest("air_hourly", batch)
    assert [r["station_id"] for r in rows(store)] == ["LC001"], "the batch is all or nothing"
    time.sleep(0.2)
    assert len(announced.on("ingest.air_hourly")) == 1


def test_stored_batch_counts_even_when_the_bus_is_down(
    store: SqlSource, caplog: pytest.LogCaptureFixture
) -> None:
    dead_bus = RedisBackend("redis://127.0.0.1:1/0", timeout_s=0.5)
    try:
        with caplog.at_level(logging.WARNING, logger="data_sources.ingest"):
            result = IngestService(store, dead_bus).ingest("air_hourly", [hourly()])
    finally:
        dead_bus.close()
    assert (result.accepted, result.published) == (1, False)
    assert len(rows(store)) == 1
    assert "could not announce" in caplog.text
