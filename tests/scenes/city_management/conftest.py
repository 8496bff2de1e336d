"""Fixtures for the 城市管理 scene: the real boundaries, a render context, a seeded SQLite.

NOW is a Sunday evening, so "this week" runs Monday 23 to Sunday 29 November and "this
month" from 1 November; the store holds 31 days of simulated cases up to NOW (fewer cases per
day than the wall's default, to keep the fixture quick).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
import pytest

from data_sources.simulator.city_management import CityManagementSim
from data_sources.sql import SqlSource
from scenes.base import Geo, RenderContext
from scenes.city_management.options import Options
from scenes.render import map_style
from tests.conftest import city_geo, ingest_batches, simulate

NOW = datetime(2026, 11, 29, 17, 44, 9)
SEED = 20191
DAYS = 31
CASES_PER_DAY = 100
PARTS = 1500


@pytest.fixture(scope="session")
def cm_geo() -> Geo:
    """Liaocheng's eight counties, simplified as the app does."""
    return city_geo()


@pytest.fixture
def cm_ctx(cm_geo: Geo) -> RenderContext:
    """A pure render context at NOW."""
    return RenderContext(city_name="聊城市", geo=cm_geo, map_style=map_style("#07182b"), now=NOW)


def ingest_sim(source: SqlSource, geo: Geo) -> list[tuple[str, list[dict]]]:
    """Feed the simulator through the real ingest path; return the batches."""
    sim = CityManagementSim(
        SEED, dict(Options().part_classes), parts=PARTS, cases_per_day=CASES_PER_DAY
    )
    batches = simulate(sim, geo, now=NOW, days=DAYS)
    ingest_batches(source, batches)
    return batches


@pytest.fixture(scope="module")
def cm_seeded(
    tmp_path_factory: pytest.TempPathFactory, cm_geo: Geo
) -> Iterator[tuple[SqlSource, list]]:
    """A SQLite file holding 31 days of simulated city-management data up to NOW."""
    path = tmp_path_factory.mktemp("cm") / "city.db"
    source = SqlSource("citydb", f"sqlite:///{path}")
    batches = ingest_sim(source, cm_geo)
    yield source, batches
    source.close()


def as_hub_sees(data: Any) -> Any:
    """JSON round trip the way the hub stores products (timestamps become ISO strings)."""
    return orjson.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))
