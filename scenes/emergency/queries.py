"""Named reads for the 应急管理 scene: SQLAlchemy Core with bound parameters only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from data_sources.datasets.base import local_now
from data_sources.datasets.emergency import (
    emergency_event_log as log_t,
)
from data_sources.datasets.emergency import (
    emergency_events as events_t,
)
from data_sources.datasets.emergency import (
    emergency_readings,
    emergency_resources,
    emergency_risk_sources,
    emergency_sensors,
    emergency_warnings,
)
from data_sources.sql import latest_per_key

RECENT = timedelta(hours=24)
FUTURE_SLACK = timedelta(hours=1)
READING_WINDOW = timedelta(hours=6)

_SINCE = sa.bindparam("since", type_=sa.DateTime)
_UNTIL = sa.bindparam("until", type_=sa.DateTime)
_NOW = sa.bindparam("now", type_=sa.DateTime)

# Active events, plus those started in the recent window (to count what ended lately).
EVENTS = (
    sa.select(events_t)
    .where(
        events_t.c.started_at <= _UNTIL,
        sa.or_(events_t.c.status == "处置中", events_t.c.started_at >= _SINCE),
    )
    .order_by(events_t.c.started_at, events_t.c.event_id)
)
EVENT_LOG = (
    sa.select(log_t)
    .join(events_t, events_t.c.event_id == log_t.c.event_id)
    .where(
        events_t.c.started_at <= _UNTIL,
        sa.or_(events_t.c.status == "处置中", events_t.c.started_at >= _SINCE),
        log_t.c.ts <= _UNTIL,
    )
    .order_by(log_t.c.event_id, log_t.c.ts)
)
WARNINGS = (
    sa.select(emergency_warnings)
    .where(emergency_warnings.c.issued_at <= _UNTIL, emergency_warnings.c.expires_at > _NOW)
    .order_by(emergency_warnings.c.issued_at, emergency_warnings.c.warning_id)
)
RESOURCES = sa.select(emergency_resources).order_by(emergency_resources.c.resource_id)
RISKS = sa.select(emergency_risk_sources).order_by(emergency_risk_sources.c.source_id)
SENSORS = sa.select(emergency_sensors).order_by(emergency_sensors.c.sensor_id)
LATEST_READINGS = latest_per_key(
    emergency_readings,
    "sensor_id",
    emergency_readings.c.ts <= _UNTIL,
    emergency_readings.c.ts >= _SINCE,
)


def fetch_events(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Active and recent events, their timelines, and the warnings in force at `now`."""
    at = local_now(now)
    window = {"since": at - RECENT, "until": at + FUTURE_SLACK}
    return {
        "events": source.fetch(EVENTS, window),
        "log": source.fetch(EVENT_LOG, window),
        "warnings": source.fetch(WARNINGS, {"until": at + FUTURE_SLACK, "now": at}),
        "as_of": at,
    }


def fetch_sites(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Resources, risk sources, sensors and each sensor's latest reading (last 6 hours)."""
    at = local_now(now)
    window = {"since": at - READING_WINDOW, "until": at + FUTURE_SLACK}
    return {
        "resources": source.fetch(RESOURCES),
        "risks": source.fetch(RISKS),
        "sensors": source.fetch(SENSORS),
        "readings": source.fetch(LATEST_READINGS, window),
    }
