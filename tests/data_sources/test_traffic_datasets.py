"""Traffic dataset rejections: each names the field, the rest of the batch is kept."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from data_sources.area import city_area
from data_sources.datasets import DATASETS, metadata
from data_sources.ingest import Checks, IngestService
from data_sources.memory import MemoryBackend
from data_sources.sql import SqlSource
from wall.geo import load_geo

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 17, 44)
GOOD_SEGMENT = {
    "segment_id": "U05-001", "road": "东昌路", "road_class": "主干路", "setting": "urban",
    "county": "371502", "seq": 1, "length_m": 890.5, "free_flow_kmh": 52, "speed_limit_kmh": 60,
    "lon": 115.97, "lat": 36.447, "path": [[115.955, 36.444], [115.965, 36.444]],
}  # fmt: skip
GOOD_INCIDENT = {
    "incident_id": "TI1", "kind": "accident", "segment_id": "U05-001", "ts": "2026-11-27T17:00:00",
    "end_ts": None, "lon": 115.97, "lat": 36.447, "description": "东昌路 两车追尾",
}  # fmt: skip
GOOD_VEHICLE = {"vehicle_id": "BUS00001", "kind": "bus", "ts": "2026-11-27T17:43:59", "lon": 115.97, "lat": 36.45, "speed_kmh": 21.5}  # fmt: skip


@pytest.fixture
def service(tmp_path: Any) -> IngestService:
    geo = load_geo(
        REPO / "data/geo/liaocheng_counties.geojson",
        name_field="name",
        code_field="adcode",
        center=(115.98, 36.45),
        zoom=8,
        tolerance=0.002,
    )
    source = SqlSource("citydb", f"sqlite:///{tmp_path / 'c.db'}")
    source.create_tables(metadata)
    checks = Checks(
        area=city_area("聊城市", geo.counties, 5.0), future_tolerance_s=600, now=lambda: NOW
    )
    return IngestService(source, MemoryBackend(), checks)


def _one_bad(service: IngestService, dataset: str, good: dict, bad: dict, field: str) -> str:
    result = service.ingest(dataset, [good, bad])
    assert result.accepted == 1, result.rejected
    (rej,) = result.rejected
    assert (rej.index, rej.field) == (1, field), rej
    return rej.reason


def test_datasets_are_registered() -> None:
    assert {"traffic_segments", "traffic_speed", "traffic_incidents", "traffic_vehicles"} <= set(
        DATASETS
    )
    assert DATASETS["traffic_segments"].point == ("lon", "lat")
    assert DATASETS["traffic_vehicles"].point == ("lon", "lat")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"road_class": "高速公路"}, "road_class"),
        ({"setting": "rural"}, "setting"),
        ({"length_m": -5}, "length_m"),
        ({"lon": 116.397, "lat": 39.909}, "lon"),  # Beijing: outside the city
        ({"path": [[115.9, 36.4]]}, "path"),
        ({"path": [[215.9, 36.4], [115.9, 36.4]]}, "path"),
        ({"free_flow_kmh": 70}, "(record)"),  # above the 60 km/h limit (§7.2.1.2 caps it)
        ({"extra": 1}, "extra"),
    ],
)
def test_segment_rejections(service: IngestService, change: dict, field: str) -> None:
    bad = GOOD_SEGMENT | {"segment_id": "U05-002"} | change
    reason = _one_bad(service, "traffic_segments", GOOD_SEGMENT, bad, field)
    if field == "(record)":
        assert "free_flow_kmh" in reason and "speed_limit_kmh" in reason


def test_speed_rejections(service: IngestService) -> None:
    good = {"segment_id": "U05-001", "ts": "2026-11-27T17:40:00", "speed_kmh": 31.2}
    assert "must be >= 0" in _one_bad(
        service, "traffic_speed", good, good | {"speed_kmh": -1}, "speed_kmh"
    )
    future = (NOW + timedelta(hours=2)).isoformat()
    assert "future" in _one_bad(service, "traffic_speed", good, good | {"ts": future}, "ts")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "fire"}, "kind"),
        ({"lon": 121.47, "lat": 31.23}, "lon"),
        ({"description": "联系人电话 13800138000"}, "description"),
        ({"end_ts": "2026-11-27T16:00:00"}, "(record)"),
    ],
)
def test_incident_rejections(service: IngestService, change: dict, field: str) -> None:
    _one_bad(
        service,
        "traffic_incidents",
        GOOD_INCIDENT,
        GOOD_INCIDENT | {"incident_id": "TI2"} | change,
        field,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [({"kind": "truck"}, "kind"), ({"speed_kmh": -3}, "speed_kmh"), ({"lon": 113.0}, "lon")],
)
def test_vehicle_rejections(service: IngestService, change: dict, field: str) -> None:
    _one_bad(
        service,
        "traffic_vehicles",
        GOOD_VEHICLE,
        GOOD_VEHICLE | {"vehicle_id": "TAXI00001"} | change,
        field,
    )


def test_vehicles_keep_only_the_latest_fix(service: IngestService) -> None:
    later = GOOD_VEHICLE | {"ts": "2026-11-27T17:44:00", "lon": 115.98}
    service.ingest("traffic_vehicles", [GOOD_VEHICLE])
    service.ingest("traffic_vehicles", [later])
    import sqlalchemy as sa

    rows = service.store.fetch(sa.select(DATASETS["traffic_vehicles"].table))
    assert len(rows) == 1 and rows[0]["lon"] == 115.98
