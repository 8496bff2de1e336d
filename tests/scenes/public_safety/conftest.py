"""Fixtures for the 公共安全 scene: the real boundary file, a render context, a seeded SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from data_sources.simulator.public_safety import PublicSafetySim
from data_sources.sql import SqlSource
from scenes.base import Geo, RenderContext
from scenes.render import map_style
from tests.conftest import city_geo, ingest_batches, simulate

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 29, 17, 44, 9)
SEED = 20191


@pytest.fixture(scope="session")
def ps_geo() -> Geo:
    """Liaocheng's eight counties, simplified as the app does."""
    return city_geo()


@pytest.fixture
def ps_ctx(ps_geo: Geo) -> RenderContext:
    """A pure render context at NOW."""
    return RenderContext(city_name="聊城", geo=ps_geo, map_style=map_style("#07182b"), now=NOW)


def ingest_sim(
    source: SqlSource, geo: Geo, *, now: datetime, days: int
) -> list[tuple[str, list[dict]]]:
    """Feed the simulator through the real ingest path; return the batches."""
    batches = simulate(PublicSafetySim(SEED), geo, now=now, days=days)
    ingest_batches(source, batches)
    return batches


@pytest.fixture(scope="module")
def ps_seeded(
    tmp_path_factory: pytest.TempPathFactory, ps_geo: Geo
) -> Iterator[tuple[SqlSource, list]]:
    """A SQLite file holding eight days of simulated public-safety data up to NOW."""
    path = tmp_path_factory.mktemp("ps") / "city.db"
    source = SqlSource("citydb", f"sqlite:///{path}")
    batches = ingest_sim(source, ps_geo, now=NOW, days=8)
    yield source, batches
    source.close()


def as_hub_sees(data: Any) -> Any:
    """JSON round trip the way the hub stores products (timestamps become ISO strings)."""
    return orjson.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))
