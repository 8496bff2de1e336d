"""Emergency datasets: bad categories, negative counts, bad colours and outside-city points are
rejected naming the field, the rest of the batch is kept; accident grades are computed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from data_sources.area import city_area
from data_sources.datasets import DATASETS
from data_sources.ingest import Checks, validate_records
from wall.geo import load_geo

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 10, 0)


@pytest.fixture(scope="module")
def checks() -> Checks:
    geo = load_geo(
        REPO / "data/geo/liaocheng_counties.geojson",
        name_field="name",
        code_field="adcode",
        center=(115.98, 36.45),
        zoom=8.2,
        tolerance=0.002,
    )
    return Checks(
        area=city_area("聊城市", geo.counties, 5.0), future_tolerance_s=600, now=lambda: NOW
    )


def event(**kw: Any) -> dict[str, Any]:
    base = {
        "event_id": "EV1",
        "type": "事故灾难",
        "subtype": "危化品泄漏",
        "grade": "III",
        "place": "高新区化工园",
        "county": "371502",
        "lon": 116.05,
        "lat": 36.45,
        "started_at": "2026-11-29T08:00:00+08:00",
        "status": "处置中",
    }
    return base | kw


def run(dataset: str, records: list[dict], checks: Checks) -> tuple[list[dict], list[Any]]:
    return validate_records(DATASETS[dataset], records, checks)


def test_events_bad_category_negative_count_and_outside_city(checks: Checks) -> None:
    records = [
        event(event_id="OK1"),
        event(event_id="B1", type="地震灾害"),
        event(event_id="B2", deaths=-1),
        event(event_id="B3", lon=116.397, lat=39.909),  # Beijing
        event(event_id="B4", status="进行中"),
        event(event_id="OK2", grade="IV"),
    ]
    rows, rejected = run("emergency_events", records, checks)
    assert [r["event_id"] for r in rows] == ["OK1", "OK2"]
    assert [(r.index, r.field) for r in rejected] == [
        (1, "type"),
        (2, "deaths"),
        (3, "lon"),
        (4, "status"),
    ]
    assert rejected[1].reason == "must be >= 0"
    assert "outside 聊城市" in rejected[2].reason


def test_accident_grade_is_computed_when_missing(checks: Checks) -> None:
    records = [
        event(event_id="A1", grade=None, deaths=3, serious_injuries=0),
        event(event_id="A2", grade=None, direct_loss=100_000_000),
        event(event_id="A3", grade=None, deaths=2, serious_injuries=9, direct_loss=9_999_999),
        event(event_id="A4", grade=None, type="自然灾害"),
        event(event_id="A5", grade=None),
    ]
    rows, rejected = run("emergency_events", records, checks)
    assert {r["event_id"]: r["grade"] for r in rows} == {"A1": "III", "A2": "I", "A3": "IV"}
    assert [(r.index, r.field) for r in rejected] == [(3, "grade"), (4, "grade")]
    assert rows[0]["started_at"] == datetime(2026, 11, 29, 8, 0)


def warning(**kw: Any) -> dict[str, Any]:
    base = {
        "warning_id": "W1",
        "type": "大雾",
        "colour": "黄",
        "county": "371502",
        "issued_at": "2026-11-29T06:00:00",
        "expires_at": "2026-11-29T12:00:00",
    }
    return base | kw


def test_warnings_reject_colours_a_type_does_not_have(checks: Checks) -> None:
    records = [
        warning(),
        warning(warning_id="W2", type="干旱", colour="蓝"),
        warning(warning_id="W3", type="沙尘"),
        warning(warning_id="W4", colour="紫"),
        warning(warning_id="W5", expires_at="2026-11-29T05:00:00"),
        warning(warning_id="W6", type="干旱", colour="橙"),
    ]
    rows, rejected = run("emergency_warnings", records, checks)
    assert [r["warning_id"] for r in rows] == ["W1", "W6"]
    assert [(r.index, r.field) for r in rejected] == [
        (1, "colour"),
        (2, "type"),
        (3, "colour"),
        (4, "expires_at"),
    ]
    assert rejected[0].reason == "干旱 has no 蓝色 signal (allowed: 橙/红)"


def test_resources_kinds_capacity_and_occupancy(checks: Checks) -> None:
    base = {
        "resource_id": "R1",
        "kind": "shelter",
        "name": "人民广场应急避难场所",
        "county": "371502",
        "lon": 115.98,
        "lat": 36.45,
        "capacity": 5000,
        "occupied": 100,
    }
    records = [
        base,
        base | {"resource_id": "R2", "kind": "hospital"},
        base | {"resource_id": "R3", "capacity": -5},
        base | {"resource_id": "R4", "occupied": 6000},
        base | {"resource_id": "R5", "kind": "depot", "occupied": 1},
        base | {"resource_id": "R6", "kind": "rescue_team", "occupied": None, "capacity": 40},
    ]
    rows, rejected = run("emergency_resources", records, checks)
    assert [r["resource_id"] for r in rows] == ["R1", "R6"]
    assert [(r.index, r.field) for r in rejected] == [
        (1, "kind"),
        (2, "capacity"),
        (3, "occupied"),
        (4, "occupied"),
    ]


def test_risk_sources_sensors_and_readings(checks: Checks) -> None:
    src = {
        "source_id": "RS1",
        "kind": "加油站",
        "name": "光岳路加油站",
        "county": "371502",
        "lon": 115.98,
        "lat": 36.45,
        "risk_level": 3,
    }
    rows, rejected = run(
        "emergency_risk_sources",
        [
            src,
            src | {"source_id": "RS2", "risk_level": 5},
            src | {"source_id": "RS3", "kind": "工厂"},
        ],
        checks,
    )
    assert len(rows) == 1 and [(r.index, r.field) for r in rejected] == [
        (1, "risk_level"),
        (2, "kind"),
    ]
    sensor = {
        "sensor_id": "S1",
        "kind": "河道水位",
        "name": "徒骇河·毕屯",
        "county": "371502",
        "lon": 116.0,
        "lat": 36.3,
        "unit": "m",
        "threshold": 31.5,
    }
    rows, rejected = run(
        "emergency_sensors",
        [
            sensor,
            sensor | {"sensor_id": "S2", "kind": "地震"},
            sensor | {"sensor_id": "S3", "lat": 30.0},
        ],
        checks,
    )
    assert len(rows) == 1 and [(r.index, r.field) for r in rejected] == [(1, "kind"), (2, "lon")]
    readings = [
        {"sensor_id": "S1", "ts": "2026-11-29T09:55:00", "value": 30.2},
        {"sensor_id": "S1", "ts": "2026-11-29T09:50:00", "value": -0.1},
        {"sensor_id": "S1", "ts": "2026-11-29T12:00:00", "value": 30.0},  # 2 h ahead
    ]
    rows, rejected = run("emergency_readings", readings, checks)
    assert len(rows) == 1 and [(r.index, r.field) for r in rejected] == [(1, "value"), (2, "ts")]


def test_log_stage_is_a_known_step(checks: Checks) -> None:
    entry = {"event_id": "EV1", "ts": "2026-11-29T08:05:00", "stage": "接报", "text": "接到报警"}
    rows, rejected = run("emergency_event_log", [entry, entry | {"stage": "聊天"}], checks)
    assert len(rows) == 1 and [(r.index, r.field) for r in rejected] == [(1, "stage")]


def test_no_personal_data_fields() -> None:
    personal = {"person", "phone", "id_number", "contact", "reporter", "victim_name"}
    for name, ds in DATASETS.items():
        if name.startswith("emergency_"):
            assert not personal & set(ds.schema.model_fields), name
