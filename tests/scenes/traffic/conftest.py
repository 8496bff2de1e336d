"""Fixtures for the 交通运行 scene: the real boundary file, a render context and a seeded SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from data_sources.area import city_area
from data_sources.datasets import metadata
from data_sources.ingest import Checks, IngestService
from data_sources.memory import MemoryBackend
from data_sources.simulator.traffic import TrafficSim
from data_sources.sql import SqlSource
from scenes.base import Geo, RenderContext
from scenes.render import map_style
from tests.conftest import city_geo

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 27, 17, 44, 5)  # a Friday, in the evening peak
SEED = 20191


@pytest.fixture(scope="session")
def traffic_geo() -> Geo:
    """Liaocheng's eight counties, simplified as the app does."""
    return city_geo()


@pytest.fixture
def traffic_ctx(traffic_geo: Geo) -> RenderContext:
    """A pure render context at NOW."""
    return RenderContext(
        city_name="聊城市", geo=traffic_geo, map_style=map_style("#07182b"), now=NOW
    )


def feed_traffic(
    source: SqlSource, geo: Geo, *, now: datetime, days: int, seed: int = SEED, vehicles: int = 600
) -> IngestService:
    """Create the tables and feed reference, history and live batches through the real ingest
    path (with the city-area check), asserting nothing is rejected."""
    source.create_tables(metadata)
    checks = Checks(area=city_area("聊城市", geo.counties, 5.0))
    service = IngestService(source, MemoryBackend(), checks)
    sim = TrafficSim(seed, vehicles=vehicles)
    batches = [
        *sim.reference(geo),
        *sim.history(geo, now - timedelta(days=days), now.replace(minute=0, second=0)),
        *sim.live(geo, now),
    ]
    for name, records in batches:
        result = service.ingest(name, records)
        assert not result.rejected, result.rejected[:3]
    return service


def as_hub_sees(data: Any) -> Any:
    """JSON round trip the way the hub stores products (timestamps become ISO strings)."""
    return orjson.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))


@pytest.fixture(scope="module")
def traffic_source(
    tmp_path_factory: pytest.TempPathFactory, traffic_geo: Geo
) -> Iterator[SqlSource]:
    """A SQLite file holding 7 days (plus today so far) of simulated traffic up to NOW."""
    path = tmp_path_factory.mktemp("traffic") / "city.db"
    source = SqlSource("citydb", f"sqlite:///{path}")
    feed_traffic(source, traffic_geo, now=NOW, days=7)
    yield source
    source.close()


@pytest.fixture(scope="module")
def traffic_products(traffic_source: SqlSource) -> dict[str, Any]:
    """Both products as the hub hands them to the transform."""
    from scenes.traffic.queries import fetch_live, fetch_network

    return {
        "traffic_net": as_hub_sees(fetch_network(traffic_source, now=NOW)),
        "traffic_live": as_hub_sees(fetch_live(traffic_source, now=NOW)),
    }
