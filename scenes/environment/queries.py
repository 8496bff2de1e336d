"""Named reads for the 生态环境 scene: SQLAlchemy Core with bound parameters only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from data_sources.datasets.base import local_now
from data_sources.datasets.environment import (
    air_hourly,
    air_stations,
    water_quality,
    water_sections,
)
from data_sources.sql import latest_per_key

AIR_WINDOW = timedelta(hours=48)
WATER_WINDOW = timedelta(days=7)
# A feed may run a little ahead of our clock; anything further ahead is a bad timestamp.
FUTURE_SLACK = timedelta(hours=1)

_SINCE = sa.bindparam("since", type_=sa.DateTime)
_UNTIL = sa.bindparam("until", type_=sa.DateTime)

STATIONS = sa.select(air_stations).order_by(air_stations.c.station_id)
AIR_READINGS = (
    sa.select(air_hourly)
    .where(air_hourly.c.ts >= _SINCE, air_hourly.c.ts <= _UNTIL)
    .order_by(air_hourly.c.ts, air_hourly.c.station_id)
)
SECTIONS = sa.select(water_sections).order_by(water_sections.c.section_id)
WATER_LATEST = latest_per_key(water_quality, "section_id", water_quality.c.ts <= _UNTIL)
WATER_TREND = (
    sa.select(water_quality)
    .where(water_quality.c.ts >= _SINCE, water_quality.c.ts <= _UNTIL)
    .order_by(water_quality.c.ts, water_quality.c.section_id)
)


def fetch_air(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Return the stations and the last 48 h of hourly readings (the window is a bound param)."""
    at = local_now(now)
    window = {"since": at - AIR_WINDOW, "until": at + FUTURE_SLACK}
    return {
        "stations": source.fetch(STATIONS),
        "readings": source.fetch(AIR_READINGS, window),
        "since": window["since"],
    }


def fetch_water(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Return the sections, each section's latest sample and the last 7 days of samples."""
    at = local_now(now)
    until = at + FUTURE_SLACK
    return {
        "sections": source.fetch(SECTIONS),
        "latest": source.fetch(WATER_LATEST, {"until": until}),
        "trend": source.fetch(WATER_TREND, {"since": at - WATER_WINDOW, "until": until}),
    }
