"""The HTTP API through Flask's test client: ingest status codes, /healthz and JSON 404s."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from app import runtime_of
from data_sources.datasets import DATASETS
from data_sources.redis_bus import RedisBackend
from tests.conftest import pg_execute, subscribe_ready, wait_until

KEY = "test-ingest-key-9f3c"
URL = "/api/v1/ingest/air_hourly"
DEAD_PG = "postgresql+psycopg://postgres@127.0.0.1:1/test"


def hourly(station: str = "LC001", pm25: Any = 35.0, **extra: Any) -> dict[str, Any]:
    """One valid air_hourly record unless told otherwise."""
    return {"station_id": station, "ts": "2026-11-29T08:00:00+08:00", "pm25": pm25, **extra}


def post(client: Any, body: Any, *, url: str = URL, key: str | None = KEY, **kw: Any) -> Any:
    """POST a JSON body (or raw bytes) with the API key header."""
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    headers = {"X-API-Key": key} if key is not None else {}
    return client.post(url, data=data, headers=headers, content_type="application/json", **kw)


def stored(app: Any) -> list[tuple[str, float]]:
    """(station_id, pm25) of every stored air_hourly row, read through the app's own store."""
    table = DATASETS["air_hourly"].table
    rows = runtime_of(app).store.fetch(sa.select(table).order_by(table.c.station_id))
    return [(r["station_id"], r["pm25"]) for r in rows]


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """Enable ingest with a known key."""
    monkeypatch.setenv("CITYOPS_INGEST_KEY", KEY)
    return KEY


@pytest.fixture
def app(app_factory: Callable[..., Any], api_key: str) -> Any:
    """An app on its own SQLite file and the in-process bus."""
    return app_factory()


@pytest.fixture
def client(app: Any) -> Any:
    """Flask's test client of `app`."""
    return app.server.test_client()


# Refusals before any record is looked at ---------------------------------------------------


def test_missing_or_wrong_key_is_401(client: Any, app: Any) -> None:
    for key in (None, "", "wrong", KEY + "x"):
        response = post(client, [hourly()], key=key)
        assert response.status_code == 401, key
        assert response.is_json and "API key" in response.json["error"]
    assert stored(app) == []


def test_bearer_token_is_accepted(client: Any) -> None:
    response = client.post(URL, json=[hourly()], headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 200, response.json


def test_ingest_is_disabled_without_the_key_in_the_environment(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CITYOPS_INGEST_KEY")
    for key in (KEY, "", None):
        response = post(client, [hourly()], key=key)
        assert response.status_code == 401
        assert "CITYOPS_INGEST_KEY" in response.json["error"]


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_wrong_method_is_405(client: Any, method: str) -> None:
    response = client.open(URL, method=method, headers={"X-API-Key": KEY})
    assert response.status_code == 405
    assert response.is_json and method in response.json["error"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"[{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (orjson.dumps({"station_id": "LC001"}), "must be a JSON array"),
        (orjson.dumps("text"), "must be a JSON array"),
        (b"[]", "empty array"),
    ],
    ids=["malformed", "no-body", "object", "string", "empty-array"],
)
def test_bad_body_is_400(client: Any, body: bytes, fragment: str) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert fragment in response.json["error"]


def test_unknown_dataset_is_404_listing_the_known_ones(client: Any) -> None:
    response = post(client, [hourly()], url="/api/v1/ingest/air_hourlyy")
    assert response.status_code == 404
    assert response.json["known"] == sorted(DATASETS)
    assert "air_hourlyy" in response.json["error"]


def test_a_real_body_over_5_mb_is_413(client: Any, app: Any) -> None:
    limit = runtime_of(app).settings.config.ingest.max_body_bytes
    assert limit == 5 * 1024 * 1024
    record = orjson.dumps(hourly())
    count = limit // (len(record) + 1) + 1
    body = b"[" + b",".join([record] * count) + b"]"
    assert len(body) > limit
    response = post(client, body)
    assert response.status_code == 413
    assert str(limit) in response.json["error"]
    assert stored(app) == []


def test_small_limits_give_413_for_bytes_and_for_records(
    app_factory: Callable[..., Any], settings_factory: Callable[..., Any], api_key: str
) -> None:
    app = app_factory(settings_factory({"ingest": {"max_body_bytes": 400, "max_records": 3}}))
    client = app.server.test_client()
    big = [hourly(f"S{i:03d}", note="x" * 50) for i in range(5)]
    response = post(client, big)
    assert response.status_code == 413 and "body too large" in response.json["error"]
    four = [{"station_id": f"S{i}", "ts": "2026-11-29T08:00:00"} for i in range(4)]
    assert len(orjson.dumps(four)) <= 400
    response = post(client, four)
    assert response.status_code == 413
    assert response.json["error"] == "too many records: 4 (limit 3)"
    assert post(client, four[:3]).status_code == 200
    assert len(stored(app)) == 3


# Records -----------------------------------------------------------------------------------


def test_all_rejected_is_422_with_reasons(client: Any, app: Any) -> None:
    response = post(client, [hourly(pm25=-5), hourly(colour="red"), 7])
    assert response.status_code == 422
    body = response.json
    assert (body["dataset"], body["accepted"], body["published"]) == ("air_hourly", 0, False)
    assert body["rejected"] == [
        {"index": 0, "field": "pm25", "value": -5, "reason": "must be >= 0"},
        {"index": 1, "field": "colour", "value": "red", "reason": "unknown field"},
        {"index": 2, "field": "(record)", "value": 7, "reason": "must be a JSON object"},
    ]
    assert stored(app) == []


def test_mixed_batch_is_200_with_accepted_and_rejected(client: Any, app: Any) -> None:
    response = post(client, [hourly("LC001"), hourly("LC002", pm25="abc"), hourly("LC003", 12)])
    assert response.status_code == 200
    body = response.json
    assert (body["accepted"], body["published"]) == (2, True)
    assert [(r["index"], r["field"], r["value"]) for r in body["rejected"]] == [(1, "pm25", "abc")]
    assert stored(app) == [("LC001", 35.0), ("LC003", 12.0)]


def test_store_down_at_start_up_gives_503_and_a_degraded_healthz(
    app_factory: Callable[..., Any], api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", DEAD_PG)
    app = app_factory()  # the wall starts degraded instead of crash-looping
    client = app.server.test_client()
    response = post(client, [hourly()])
    assert response.status_code == 503
    assert "nothing from this batch was accepted" in response.json["error"]
    health = client.get("/healthz").json
    assert health["status"] == "degraded"
    citydb = next(s for s in health["sources"] if s["name"] == "citydb")
    assert (citydb["ok"], citydb["used"]) == (False, True)


def test_store_outage_is_503_and_earlier_data_stays_readable(
    app_factory: Callable[..., Any],
    settings_factory: Callable[..., Any],
    api_key: str,
    tmp_path: Any,
) -> None:
    settings = settings_factory({"sources": {"citydb": {"timeout_s": 0.3}}})
    app = app_factory(settings)
    client = app.server.test_client()
    assert post(client, [hourly("LC001"), hourly("LC002")]).status_code == 200
    blocker = sqlite3.connect(tmp_path / "city.db", timeout=0.1, isolation_level=None)
    try:
        blocker.execute("BEGIN EXCLUSIVE")  # another writer holds the store: writes cannot land
        response = post(client, [hourly("LC003")])
        assert response.status_code == 503
        assert stored(app) == [("LC001", 35.0), ("LC002", 35.0)], "readers still see the data"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert post(client, [hourly("LC003")]).status_code == 200
    assert [s for s, _ in stored(app)] == ["LC001", "LC002", "LC003"]


# Health and unknown API routes ------------------------------------------------------------


def test_healthz_shape(client: Any, app: Any) -> None:
    runtime_of(app).hub.collect_once(force=True)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.is_json
    body = response.json
    assert set(body) == {"status", "sources", "products"}
    assert body["status"] in ("ok", "degraded")
    names = [s["name"] for s in body["sources"]]
    assert names[:3] == ["citydb", "bigdata", "files"] and body["sources"][-1]["kind"] == "memory"
    for source in body["sources"]:
        assert set(source) == {"name", "kind", "ok", "detail", "used"}
        assert isinstance(source["ok"], bool) and isinstance(source["detail"], str)
    citydb = body["sources"][0]
    assert (citydb["kind"], citydb["ok"], citydb["detail"], citydb["used"]) == (
        "sql",
        True,
        "sqlite",
        True,
    )
    for product in body["products"].values():
        assert set(product) == {"ok", "as_of", "failing_since", "label"}
    healthy = all(s["ok"] for s in body["sources"] if s["used"]) and all(
        p["ok"] for p in body["products"].values()
    )
    assert body["status"] == ("ok" if healthy else "degraded")


@pytest.mark.parametrize("path", ["/api/unknown", "/api/v1/ingest", "/api/v2/ingest/air_hourly/x"])
def test_unknown_api_route_is_json_404(client: Any, path: str) -> None:
    for method in ("GET", "POST"):
        response = client.open(path, method=method)
        assert response.status_code == 404
        assert response.is_json, response.data[:80]
        assert response.json == {"error": f"no such API route: {path}"}


def test_the_wall_page_is_still_served(client: Any) -> None:
    response = client.get("/wall/overview")
    assert response.status_code == 200
    assert b"<html" in response.data.lower()


# The same API on PostgreSQL + Redis ------------------------------------------------------


def test_ingest_on_postgres_and_redis(
    app_factory: Callable[..., Any],
    api_key: str,
    pg_url: str,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    app = app_factory()
    runtime = runtime_of(app)
    assert isinstance(runtime.backend, RedisBackend) and runtime.store.dialect == "postgresql"
    client = app.server.test_client()
    sub, heard = subscribe_ready(runtime.backend, "ingest.*", "ingest.__probe__")
    try:
        first = post(client, [hourly("LC001", 10), hourly("LC002", 20)])
        assert first.status_code == 200 and first.json["published"] is True
        assert wait_until(lambda: heard.on("ingest.air_hourly"))[0]["count"] == 2
        assert post(client, [hourly("LC001", -1), "x"]).status_code == 422
        assert post(client, b"[{broken").status_code == 400
        mixed = post(client, [hourly("LC003", 30), hourly("LC002", "NaN?")])
        assert mixed.status_code == 200 and mixed.json["accepted"] == 1
    finally:
        sub.close()
    assert pg_execute(pg_url, "SELECT station_id, pm25 FROM air_hourly ORDER BY station_id") == [
        ("LC001", 10.0),
        ("LC002", 20.0),
        ("LC003", 30.0),
    ]
    health = client.get("/healthz").json
    kinds = {s["kind"]: s for s in health["sources"]}
    assert kinds["redis"]["ok"] is True and kinds["sql"]["detail"] == "postgresql"
