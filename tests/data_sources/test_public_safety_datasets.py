"""Public-safety datasets reject bad records naming the field, and keep the rest of the batch."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from data_sources.area import city_area
from data_sources.datasets import DATASETS, metadata
from data_sources.datasets.public_safety import ALARM_CATEGORIES
from data_sources.ingest import Checks, IngestService
from data_sources.memory import MemoryBackend
from data_sources.sql import SqlSource
from wall.geo import load_geo

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 17, 44)


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


@pytest.fixture
def service(sqlite_url: str, checks: Checks) -> Any:
    source = SqlSource("citydb", sqlite_url)
    source.create_tables(metadata)
    yield IngestService(source, MemoryBackend(), checks)
    source.close()


def alarm(i: int, **over: Any) -> dict[str, Any]:
    return {"alarm_id": f"JQ{i}", "category": "交通", "ts": "2026-11-29T09:00:00", "lon": 115.98, "lat": 36.45, "county": "371502", **over}  # fmt: skip


def stored(service: IngestService, table: str) -> list[dict]:
    return service.store.fetch(sa.select(DATASETS[table].table))


@pytest.mark.parametrize(
    ("over", "field", "reason"),
    [
        ({"category": "诈骗"}, "category", "Input should be"),
        ({"lon": 116.397, "lat": 39.909}, "lon", "outside 聊城市"),  # Beijing
        ({"name": "张三"}, "name", "unknown field"),
        ({"phone": "13800000000"}, "phone", "unknown field"),
        ({"id_number": "371502199001011234"}, "id_number", "unknown field"),
        ({"ts": "2026-11-29T20:00:00"}, "ts", "in the future"),
    ],
)
def test_bad_alarm_is_rejected_naming_the_field_and_the_rest_is_kept(
    service: IngestService, over: dict, field: str, reason: str
) -> None:
    result = service.ingest("public_safety_alarms", [alarm(1), alarm(2, **over), alarm(3)])
    assert result.accepted == 2
    assert [(r.index, r.field) for r in result.rejected] == [(1, field)]
    assert reason in result.rejected[0].reason
    assert sorted(r["alarm_id"] for r in stored(service, "public_safety_alarms")) == ["JQ1", "JQ3"]


def test_every_configured_category_is_accepted(service: IngestService) -> None:
    records = [alarm(i, category=c) for i, c in enumerate(ALARM_CATEGORIES)]
    assert service.ingest("public_safety_alarms", records).accepted == len(ALARM_CATEGORIES) == 7


def test_area_kind_capacity_and_place_are_checked(service: IngestService) -> None:
    good = {"area_id": "KA01", "name": "光岳楼", "kind": "景区", "lon": 115.988, "lat": 36.452, "county": "371502", "capacity": 2500}  # fmt: skip
    result = service.ingest(
        "public_safety_areas",
        [
            good,
            {**good, "area_id": "KA02", "kind": "学校"},
            {**good, "area_id": "KA03", "capacity": 0},
            {**good, "area_id": "KA04", "lon": 121.47, "lat": 31.23},
        ],
    )
    assert result.accepted == 1
    assert [(r.index, r.field) for r in result.rejected] == [
        (1, "kind"),
        (2, "capacity"),
        (3, "lon"),
    ]
    assert result.rejected[1].reason == "must be > 0"


def test_crowd_count_must_not_be_negative(service: IngestService) -> None:
    result = service.ingest(
        "public_safety_crowds",
        [
            {"area_id": "KA01", "ts": "2026-11-29T09:00", "count": -3},
            {"area_id": "KA01", "ts": "2026-11-29T09:10", "count": 30},
        ],  # fmt: skip
    )
    assert result.accepted == 1
    assert (result.rejected[0].field, result.rejected[0].reason) == ("count", "must be >= 0")


def test_cameras_online_never_above_total(service: IngestService) -> None:
    result = service.ingest(
        "public_safety_cameras",
        [
            {"county": "371502", "ts": "2026-11-29T09:00", "total": 100, "online": 101},
            {"county": "371503", "ts": "2026-11-29T09:00", "total": -1, "online": 0},
            {"county": "371521", "ts": "2026-11-29T09:00", "total": 100, "online": 97},
        ],
    )
    assert result.accepted == 1
    assert [(r.field, r.value, r.reason) for r in result.rejected] == [
        ("online", 101, "must be <= total (100)"),
        ("total", -1, "must be >= 0"),
    ]


def test_cases_solved_never_above_registered(service: IngestService) -> None:
    base = {"county": "371502", "date": "2026-11-29", "category": "盗窃", "registered": 5}
    result = service.ingest(
        "public_safety_cases",
        [
            {**base, "solved": 6},
            {**base, "category": "诈骗", "solved": -1},
            {**base, "category": "赌博", "solved": 1},
            {**base, "category": "诈骗", "solved": 2},
        ],
    )
    assert result.accepted == 1
    assert [(r.index, r.field) for r in result.rejected] == [(0, "solved"), (1, "solved"), (2, "category")]  # fmt: skip
    assert result.rejected[0].reason == "must be <= registered (5)"
