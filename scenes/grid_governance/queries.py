"""Named reads for the 网格化治理 scene: aggregates in SQL with bound parameters only.

Three products:
- grids: the unit grids with their GeoJSON (WGS-84), refreshed slowly (they rarely change);
- stats: counts only — open / overdue / reported today / closed today per grid (townships and
  counties roll up from the grid code's prefixes), per category, per hour for the last 24 h,
  the same-time count of yesterday, and the workflow period counts of `case_stats`;
- detail: bounded lists for the clicked grid — each grid's newest open events (at most
  DETAIL_CAP), every member's status and last position, and the grid name index.

"Open" is a 网格 case whose state is not in FINISHED (结案/评价/作废); "overdue" uses
`case_stats.OPEN_CLOCK` (open, not 缓办) with the deadline passed. Windows are constants here:
the hub calls `fetch(source)` without options.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from data_sources.case_stats import OPEN_CLOCK, period_counts
from data_sources.datasets.base import local_now
from data_sources.datasets.cases import cases, grid_cells, grid_members
from indicators.cases import FINISHED
from scenes.grid_governance.options import DETAIL_CAP

SOURCE = "网格"
TREND_HOURS = 24
FUTURE_SLACK = timedelta(minutes=10)
FINISHED_STATES = sorted(s.value for s in FINISHED)
COUNTS = ("open", "overdue", "today", "closed_today")

c = cases.c
_SOURCE = sa.bindparam("source", type_=sa.String)
_NOW = sa.bindparam("now", type_=sa.DateTime)
_DAY = sa.bindparam("day", type_=sa.DateTime)
_SINCE = sa.bindparam("since", type_=sa.DateTime)
_UNTIL = sa.bindparam("until", type_=sa.DateTime)
_CAP = sa.bindparam("cap", type_=sa.Integer)

IS_OPEN = c.state.not_in(FINISHED_STATES)
IS_OVERDUE = sa.and_(OPEN_CLOCK, c.deadline < _NOW)
REPORTED_TODAY = sa.and_(c.reported_at >= _DAY, c.reported_at <= _UNTIL)
CLOSED_TODAY = sa.and_(c.closed_at >= _DAY, c.closed_at <= _UNTIL)


class hour_bucket(FunctionElement):  # noqa: N801 - reads like the SQL function it renders
    """'YYYY-MM-DD HH' of a timestamp, rendered per dialect (format strings are constants)."""

    type = sa.String()
    inherit_cache = True


@compiles(hour_bucket)
def _hour_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m-%d %H', {compiler.process(element.clauses, **kw)})"


@compiles(hour_bucket, "postgresql")
def _hour_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD HH24')"


def _n(cond: Any) -> Any:
    return sa.func.sum(sa.case((cond, 1), else_=0))


def _counted(key: Any, *, relevant: Any) -> sa.Select:
    """The four counts per `key` over the 网格 cases that are open or touched today."""
    return (
        sa.select(
            key,
            _n(IS_OPEN).label("open"),
            _n(IS_OVERDUE).label("overdue"),
            _n(REPORTED_TODAY).label("today"),
            _n(CLOSED_TODAY).label("closed_today"),
        )
        .where(c.source == _SOURCE, relevant)
        .group_by(key)
        .order_by(key)
    )


_RELEVANT = sa.or_(IS_OPEN, REPORTED_TODAY, CLOSED_TODAY)
PER_GRID = _counted(c.grid_code, relevant=_RELEVANT)
PER_CATEGORY = _counted(c.category, relevant=_RELEVANT)


def _hourly(col: Any) -> sa.Select:
    """count(*) per hour of `col` in [since, until] (the bucket is computed in a subquery)."""
    inner = (
        sa.select(hour_bucket(col).label("hour"))
        .where(c.source == _SOURCE, col >= _SINCE, col <= _UNTIL)
        .subquery()
    )
    return (
        sa.select(inner.c.hour, sa.func.count().label("n"))
        .group_by(inner.c.hour)
        .order_by(inner.c.hour)
    )


HOURLY_REPORTED = _hourly(c.reported_at)
HOURLY_CLOSED = _hourly(c.closed_at)
COUNT_REPORTED = (
    sa.select(sa.func.count().label("n"))
    .select_from(cases)
    .where(c.source == _SOURCE, c.reported_at >= _SINCE, c.reported_at <= _UNTIL)
)

_ranked = (
    sa.select(
        c.grid_code,
        c.case_id,
        c.category,
        c.subcategory,
        c.state,
        c.reported_at,
        c.deadline,
        c.department,
        sa.func.row_number()
        .over(partition_by=c.grid_code, order_by=(c.reported_at.desc(), c.case_id))
        .label("rn"),
    )
    .where(c.source == _SOURCE, IS_OPEN, c.grid_code.is_not(None))
    .subquery()
)
OPEN_EVENTS = (
    sa.select(*(col for col in _ranked.c if col.name != "rn"))
    .where(_ranked.c.rn <= _CAP)
    .order_by(_ranked.c.grid_code, _ranked.c.reported_at.desc(), _ranked.c.case_id)
)
MEMBERS = sa.select(
    grid_members.c.member_id,
    grid_members.c.grid_code,
    grid_members.c.status,
    grid_members.c.lon,
    grid_members.c.lat,
    grid_members.c.ts,
).order_by(grid_members.c.grid_code, grid_members.c.member_id)
GRID_INDEX = sa.select(
    grid_cells.c.grid_code,
    grid_cells.c.township,
    grid_cells.c.community,
    grid_cells.c.area_km2,
    grid_cells.c.generated,
).order_by(grid_cells.c.grid_code)
GRIDS = sa.select(grid_cells).order_by(grid_cells.c.grid_code)


def _ints(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """Plain ints: PostgreSQL sums arrive as Decimal, and SUM over no row as None."""
    return [{k: int(v or 0) if k in keys else v for k, v in r.items()} for r in rows]


def _midnight(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def fetch_grids(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Every unit grid with its hierarchy codes, centroid, area and GeoJSON (WGS-84)."""
    cells = []
    for r in source.fetch(GRIDS):
        cells.append(
            {**r, "generated": bool(r["generated"]), "geometry": json.loads(r["geometry"])}
        )
    return {"now": local_now(now), "cells": cells}


def fetch_stats(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Counts per grid and category, hourly reported/closed, yesterday same time, period counts."""
    at = local_now(now)
    day, until = _midnight(at), at + FUTURE_SLACK
    base = {"source": SOURCE, "now": at, "day": day, "until": until}
    trend_from = at.replace(minute=0, second=0, microsecond=0) - timedelta(hours=TREND_HOURS - 1)
    hourly = {"source": SOURCE, "since": trend_from, "until": until}
    yesterday = {
        "source": SOURCE,
        "since": day - timedelta(days=1),
        "until": at - timedelta(days=1),
    }
    return {
        "now": at,
        "trend_hours": TREND_HOURS,
        "per_grid": _ints(source.fetch(PER_GRID, base), COUNTS),
        "per_category": _ints(source.fetch(PER_CATEGORY, base), COUNTS),
        "hourly_reported": _ints(source.fetch(HOURLY_REPORTED, hourly), ("n",)),
        "hourly_closed": _ints(source.fetch(HOURLY_CLOSED, hourly), ("n",)),
        "yesterday_same_time": _ints(source.fetch(COUNT_REPORTED, yesterday), ("n",))[0]["n"],
        "periods": period_counts(source, SOURCE, at),
    }


def fetch_detail(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Bounded lists for a clicked grid: newest open events per grid, members, grid names."""
    return {
        "now": local_now(now),
        "cap": DETAIL_CAP,
        "events": source.fetch(OPEN_EVENTS, {"source": SOURCE, "cap": DETAIL_CAP}),
        "members": source.fetch(MEMBERS),
        "grids": [{**r, "generated": bool(r["generated"])} for r in source.fetch(GRID_INDEX)],
    }
