"""Fixtures for the 生态环境 scene: the real boundary file, a render context and a seeded SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from data_sources.ingest import IngestService
from data_sources.simulator.environment import EnvironmentSim
from data_sources.sql import SqlSource
from scenes.base import Geo, RenderContext
from scenes.render import map_style
from tests.conftest import city_geo, ingest_batches, simulate

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 29, 17, 44, 9)
SEED = 20191


@pytest.fixture(scope="session")
def geo() -> Geo:
    """Liaocheng's eight counties, simplified as the app does."""
    return city_geo()


@pytest.fixture
def ctx(geo: Geo) -> RenderContext:
    """A pure render context at NOW."""
    return RenderContext(city_name="聊城", geo=geo, map_style=map_style("#07182b"), now=NOW)


def ingest_sim(
    source: SqlSource, geo: Geo, *, now: datetime, days: int, seed: int = SEED
) -> IngestService:
    """Feed the simulator's reference, history and live batches through ingest."""
    return ingest_batches(source, simulate(EnvironmentSim(seed), geo, now=now, days=days))


@pytest.fixture(scope="module")
def seeded_source(tmp_path_factory: pytest.TempPathFactory, geo: Geo) -> Iterator[SqlSource]:
    """A SQLite file holding three days of simulated air and water data up to NOW."""
    path = tmp_path_factory.mktemp("env") / "city.db"
    source = SqlSource("citydb", f"sqlite:///{path}")
    ingest_sim(source, geo, now=NOW, days=3)
    yield source
    source.close()


def as_hub_sees(data: Any) -> Any:
    """JSON round trip the way the hub stores products (timestamps become ISO strings)."""
    return orjson.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))


@pytest.fixture
def now() -> datetime:
    """The wall clock the seeded data ends at."""
    return NOW


@pytest.fixture
def feed() -> Any:
    """The helper that seeds a SqlSource through the real ingest path."""
    return ingest_sim


@pytest.fixture
def hub_view() -> Any:
    """The helper that JSON round-trips a product like the hub does."""
    return as_hub_sees


@pytest.fixture(scope="module")
def products(seeded_source: SqlSource) -> dict[str, Any]:
    """Both products as the hub hands them to the transform."""
    from scenes.environment.queries import fetch_air, fetch_water

    return {
        "env_air": as_hub_sees(fetch_air(seeded_source, now=NOW)),
        "env_water": as_hub_sees(fetch_water(seeded_source, now=NOW)),
    }
