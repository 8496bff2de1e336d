"""Contextual ingest checks: coordinates outside the city and timestamps in the future."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from data_sources.area import city_area
from data_sources.datasets import DATASETS, metadata
from data_sources.ingest import Checks, IngestService
from data_sources.memory import MemoryBackend
from data_sources.sql import SqlSource
from wall.geo import load_geo

GEO = load_geo(
    Path("data/geo/liaocheng_counties.geojson"),
    name_field="name",
    code_field="adcode",
    center=(115.98, 36.45),
    zoom=8,
    tolerance=0.002,
)
NOW = datetime(2026, 11, 29, 10, 0, 0)


@pytest.fixture(scope="module")
def area():
    return city_area("聊城市", GEO.counties, margin_km=5)


def test_area_contains_the_city_and_not_beijing(area) -> None:
    assert area.contains(115.985, 36.457)  # 东昌府区 (WGS-84)
    assert area.contains(116.228, 36.864)  # 高唐县
    assert not area.contains(116.397, 39.909)  # Beijing
    assert not area.contains(117.0, 36.65)  # Jinan, about 60 km east of the city


def test_margin_widens_the_area() -> None:
    point = (116.60, 36.40)  # east of 东阿县, outside the boundary
    assert not city_area("聊城市", GEO.counties, margin_km=0).contains(*point)
    assert city_area("聊城市", GEO.counties, margin_km=40).contains(*point)


def station(station_id: str, lon: float, lat: float) -> dict:
    return {"station_id": station_id, "name": "测试站", "county": "371502", "lon": lon, "lat": lat}


def test_ingest_rejects_points_outside_the_city_and_keeps_the_rest(area, tmp_path) -> None:
    store = SqlSource("citydb", f"sqlite:///{tmp_path}/c.db")
    store.create_tables(metadata)
    service = IngestService(store, MemoryBackend(), Checks(area=area))
    result = service.ingest(
        "air_stations", [station("IN1", 115.985, 36.457), station("OUT1", 116.397, 39.909)]
    )
    assert result.accepted == 1
    [rej] = result.rejected
    assert (rej.index, rej.field, rej.value) == (1, "lon", 116.397)
    assert "outside 聊城市" in rej.reason and "39.909" in rej.reason
    ids = [r["station_id"] for r in store.fetch(DATASETS["air_stations"].table.select())]
    assert ids == ["IN1"]


def test_ingest_rejects_timestamps_beyond_the_tolerance(tmp_path) -> None:
    store = SqlSource("citydb", f"sqlite:///{tmp_path}/c.db")
    store.create_tables(metadata)
    checks = Checks(future_tolerance_s=600, now=lambda: NOW)
    service = IngestService(store, MemoryBackend(), checks)
    ok = {"station_id": "S1", "ts": (NOW + timedelta(minutes=9)).isoformat(), "pm25": 30}
    late = {"station_id": "S1", "ts": (NOW + timedelta(minutes=11)).isoformat(), "pm25": 30}
    result = service.ingest("air_hourly", [ok, late])
    assert result.accepted == 1
    [rej] = result.rejected
    assert (rej.index, rej.field, rej.value) == (1, "ts", "2026-11-29T10:11:00")
    assert rej.reason.startswith("more than 600 s in the future")


def test_a_case_report_from_the_future_is_rejected_on_reported_at(tmp_path) -> None:
    store = SqlSource("citydb", f"sqlite:///{tmp_path}/c.db")
    store.create_tables(metadata)
    service = IngestService(store, MemoryBackend(), Checks(future_tolerance_s=600, now=lambda: NOW))
    report = {
        "case_id": "F1", "source": "城管", "kind": "事件", "category": "市容环境",
        "subcategory": "暴露垃圾", "county": "371502", "lon": 115.98, "lat": 36.45,
        "reported_at": (NOW + timedelta(hours=2)).isoformat(),
    }  # fmt: skip
    result = service.ingest("cases", [report])
    assert result.accepted == 0
    [rej] = result.rejected
    assert (rej.field, rej.value) == ("reported_at", "2026-11-29T12:00:00")
    assert rej.reason.startswith("more than 600 s in the future")
