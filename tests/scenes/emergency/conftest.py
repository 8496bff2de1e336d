"""Fixtures for the 应急管理 scene: the real boundary file, a render context and a seeded SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from data_sources.datasets import metadata
from data_sources.ingest import IngestService
from data_sources.memory import MemoryBackend
from data_sources.simulator.emergency import EmergencySim
from data_sources.sql import SqlSource
from scenes.base import Geo, RenderContext
from scenes.render import map_style
from tests.conftest import city_geo

REPO = Path(__file__).resolve().parents[3]
EMG_NOW = datetime(2026, 11, 29, 17, 44, 9)
SEED = 20191


@pytest.fixture(scope="session")
def emg_geo() -> Geo:
    """Liaocheng's eight counties, simplified as the app does."""
    return city_geo()


@pytest.fixture
def emg_ctx(emg_geo: Geo) -> RenderContext:
    """A pure render context at EMG_NOW."""
    return RenderContext(city_name="聊城", geo=emg_geo, map_style=map_style("#07182b"), now=EMG_NOW)


def emg_feed(
    source: SqlSource, geo: Geo, *, now: datetime, days: int, seed: int = SEED
) -> IngestService:
    """Create the tables and feed reference, history and live batches through the real ingest."""
    source.create_tables(metadata)
    service = IngestService(source, MemoryBackend())
    sim = EmergencySim(seed)
    for name, records in [
        *sim.reference(geo),
        *sim.history(geo, now - timedelta(days=days), now),
        *sim.live(geo, now),
    ]:
        result = service.ingest(name, records)
        assert not result.rejected, result.rejected[:3]
    return service


@pytest.fixture(scope="module")
def emg_source(tmp_path_factory: pytest.TempPathFactory, emg_geo: Geo) -> Iterator[SqlSource]:
    """A SQLite file holding two days of simulated emergency data up to EMG_NOW."""
    path = tmp_path_factory.mktemp("emg") / "city.db"
    source = SqlSource("citydb", f"sqlite:///{path}")
    emg_feed(source, emg_geo, now=EMG_NOW, days=2)
    yield source
    source.close()


def hub_json(data: Any) -> Any:
    """JSON round trip the way the hub stores products (timestamps become ISO strings)."""
    return orjson.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))
