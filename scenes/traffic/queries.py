"""Named reads for the 交通运行 scene: SQLAlchemy Core with bound parameters only.

Two products: `traffic_net` (segments and today's / last week's 5-min network series and
per-road speed curves; refreshed every minute) and `traffic_live` (each segment's latest
speed, incidents and vehicle positions; refreshed early on every ingest).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from data_sources.datasets.base import local_now
from data_sources.datasets.traffic import (
    traffic_incidents,
    traffic_segments,
    traffic_speed,
    traffic_vehicles,
)
from data_sources.sql import latest_per_key

FUTURE_SLACK = timedelta(minutes=10)
SPEED_WINDOW = timedelta(minutes=15)
VEHICLE_WINDOW = timedelta(minutes=10)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)

_SINCE = sa.bindparam("since", type_=sa.DateTime)
_UNTIL = sa.bindparam("until", type_=sa.DateTime)
_SETTINGS = sa.bindparam("settings", expanding=True)

seg, spd = traffic_segments, traffic_speed

SEGMENTS = sa.select(
    seg.c.segment_id,
    seg.c.road,
    seg.c.road_class,
    seg.c.setting,
    seg.c.county,
    seg.c.seq,
    seg.c.length_m,
    seg.c.free_flow_kmh,
    seg.c.path,
).order_by(seg.c.segment_id)

# DTP of a segment = (t̄ − t_free)/t̄ = 1 − v/vf, 0 when v >= vf (GB/T 33171 §7.2.2.2); the
# transform checks it against indicators.traffic.segment_dtp on the same rows (tests).
_SEG_DTP = sa.case(
    (spd.c.speed_kmh >= seg.c.free_flow_kmh, 0.0),
    else_=1.0 - spd.c.speed_kmh / seg.c.free_flow_kmh,
)
# 5-min slots only: live rows for the other minutes do not skew the series.
_ON_SLOT = sa.cast(sa.extract("minute", spd.c.ts), sa.Integer) % 5 == 0
_JOINED = spd.join(seg, spd.c.segment_id == seg.c.segment_id)

NETWORK_SERIES = (
    sa.select(
        spd.c.ts,
        sa.func.sum(seg.c.length_m * _SEG_DTP).label("w_dtp"),
        sa.func.sum(seg.c.length_m).label("length_m"),
        sa.func.sum(seg.c.length_m * spd.c.speed_kmh).label("w_speed"),
    )
    .select_from(_JOINED)
    .where(spd.c.ts >= _SINCE, spd.c.ts < _UNTIL, _ON_SLOT, seg.c.setting.in_(_SETTINGS))
    .group_by(spd.c.ts)
    .order_by(spd.c.ts)
)

ROAD_SERIES = (
    sa.select(
        seg.c.road,
        spd.c.ts,
        (sa.func.sum(seg.c.length_m * spd.c.speed_kmh) / sa.func.sum(seg.c.length_m)).label(
            "speed"
        ),
    )
    .select_from(_JOINED)
    .where(spd.c.ts >= _SINCE, spd.c.ts < _UNTIL, _ON_SLOT)
    .group_by(seg.c.road, spd.c.ts)
    .order_by(seg.c.road, spd.c.ts)
)

LATEST_SPEEDS = latest_per_key(
    spd,
    "segment_id",
    spd.c.ts >= _SINCE,
    spd.c.ts <= _UNTIL,
    columns=(spd.c.segment_id, spd.c.ts, spd.c.speed_kmh),
)

inc = traffic_incidents
INCIDENTS = (
    sa.select(inc.c.incident_id, inc.c.kind, inc.c.segment_id, inc.c.ts, inc.c.end_ts, inc.c.lon, inc.c.lat, inc.c.description)
    .where(inc.c.ts <= _UNTIL, sa.or_(inc.c.end_ts.is_(None), inc.c.end_ts >= _SINCE))
    .order_by(inc.c.ts.desc(), inc.c.incident_id)
    .limit(100)
)  # fmt: skip

veh = traffic_vehicles
VEHICLES = (
    sa.select(veh.c.kind, veh.c.lon, veh.c.lat)
    .where(veh.c.ts >= _SINCE, veh.c.ts <= _UNTIL)
    .order_by(veh.c.vehicle_id)
)


def _series(source: Any, since: datetime, settings: list[str]) -> list[list[Any]]:
    rows = source.fetch(
        NETWORK_SERIES, {"since": since, "until": since + DAY, "settings": settings}
    )
    return [[r["ts"], r["w_dtp"], r["length_m"], r["w_speed"]] for r in rows]


def fetch_network(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Segments, today's and the same weekday last week's 5-min network sums, per-road speeds.

    Series rows are [ts, Σ L·DTP, Σ L, Σ L·v] for the urban network and for all roads, so the
    transform can apply the configured network scope and TPI bands.
    """
    at = local_now(now)
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    roads: dict[str, list[list[Any]]] = {}
    for r in source.fetch(
        ROAD_SERIES, {"since": midnight, "until": min(midnight + DAY, at + FUTURE_SLACK)}
    ):
        roads.setdefault(r["road"], []).append([r["ts"], round(float(r["speed"]), 1)])
    return {
        "day": midnight,
        "segments": source.fetch(SEGMENTS),
        "urban": {"today": _series(source, midnight, ["urban"]), "last_week": _series(source, midnight - WEEK, ["urban"])},
        "all": {
            "today": _series(source, midnight, ["urban", "intercity"]),
            "last_week": _series(source, midnight - WEEK, ["urban", "intercity"]),
        },
        "roads": roads,
    }  # fmt: skip


def fetch_live(
    source: Any,
    *,
    now: datetime | None = None,
    speed_window: timedelta = SPEED_WINDOW,
    vehicle_window: timedelta = VEHICLE_WINDOW,
) -> dict[str, Any]:
    """Each segment's latest speed, today's incidents (and older ones still open), vehicles."""
    at = local_now(now)
    until = at + FUTURE_SLACK
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    vehicles: dict[str, list[list[float]]] = {"bus": [], "taxi": []}
    for r in source.fetch(VEHICLES, {"since": at - vehicle_window, "until": until}):
        vehicles.setdefault(r["kind"], []).append([r["lon"], r["lat"]])
    return {
        "speeds": source.fetch(LATEST_SPEEDS, {"since": at - speed_window, "until": until}),
        "incidents": source.fetch(INCIDENTS, {"since": midnight, "until": until}),
        "vehicles": vehicles,
    }
