"""Fixtures for the 网格化治理 scene: the real boundary file, a render context, a seeded SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
import pytest

from data_sources.simulator.grid_governance import GridGovernanceSim
from data_sources.sql import SqlSource
from scenes.base import Geo, RenderContext
from scenes.render import map_style
from tests.conftest import city_geo, ingest_batches, simulate

NOW = datetime(2026, 11, 29, 17, 44, 9)
SEED = 20191
DAYS = 8


@pytest.fixture(scope="session")
def gg_geo() -> Geo:
    """Liaocheng's eight counties, simplified as the app does."""
    return city_geo()


@pytest.fixture
def gg_ctx(gg_geo: Geo) -> RenderContext:
    """A pure render context at NOW."""
    return RenderContext(city_name="聊城市", geo=gg_geo, map_style=map_style("#07182b"), now=NOW)


def ingest_sim(
    source: SqlSource, geo: Geo, *, now: datetime, days: int
) -> list[tuple[str, list[dict]]]:
    """Feed the simulator through the real ingest path; return the batches."""
    batches = simulate(GridGovernanceSim(SEED), geo, now=now, days=days)
    ingest_batches(source, batches)
    return batches


@pytest.fixture(scope="module")
def gg_seeded(
    tmp_path_factory: pytest.TempPathFactory, gg_geo: Geo
) -> Iterator[tuple[SqlSource, list]]:
    """A SQLite file holding eight days of simulated grid data up to NOW."""
    path = tmp_path_factory.mktemp("gg") / "city.db"
    source = SqlSource("citydb", f"sqlite:///{path}")
    batches = ingest_sim(source, gg_geo, now=NOW, days=DAYS)
    yield source, batches
    source.close()


def as_hub_sees(data: Any) -> Any:
    """JSON round trip the way the hub stores products (timestamps become ISO strings)."""
    return orjson.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))
