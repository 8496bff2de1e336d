"""Named reads for the 公共安全 scene: aggregates in SQL with bound parameters only.

The products hold counts, never raw alarms: per hour (today and the 7 days before, for the
trend and the spike baseline), per day and category (7 days), per county and hour (today),
per grid cell (last DENSITY_HOURS) and one "yesterday up to this time" count.
Windows and the grid size are fixed here (the hub calls `fetch(source)` without options).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from data_sources.datasets import public_safety as ds
from data_sources.datasets.base import local_now
from data_sources.sql import latest_per_key

alarms, areas, crowds = ds.public_safety_alarms, ds.public_safety_areas, ds.public_safety_crowds
cameras, cases = ds.public_safety_cameras, ds.public_safety_cases

BASELINE_DAYS = 7  # hourly counts kept before today (spike baseline, yesterday's line)
TREND_DAYS = 7  # the daily trend, today included
DENSITY_HOURS = 24
CELL_DEG = 0.02  # density grid: floor(lon / 0.02°), floor(lat / 0.02°) on WGS-84 (~2 km)
CASE_DAYS = 30  # 破案率 period: cases registered in the last 30 days, today included
FUTURE_SLACK = timedelta(minutes=10)


class hour_bucket(FunctionElement):  # noqa: N801 - reads like the SQL function it renders
    """'YYYY-MM-DD HH' of a timestamp, rendered per dialect (format strings are constants)."""

    type = sa.String()
    inherit_cache = True


class day_bucket(FunctionElement):  # noqa: N801
    """'YYYY-MM-DD' of a timestamp."""

    type = sa.String()
    inherit_cache = True


@compiles(hour_bucket)
def _hour_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m-%d %H', {compiler.process(element.clauses, **kw)})"


@compiles(hour_bucket, "postgresql")
def _hour_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD HH24')"


@compiles(day_bucket)
def _day_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m-%d', {compiler.process(element.clauses, **kw)})"


@compiles(day_bucket, "postgresql")
def _day_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


def floor_int(x: Any) -> Any:
    """floor(x) as an integer on every dialect: SQLite's CAST truncates, PostgreSQL's rounds."""
    cast = sa.cast(x, sa.Integer)
    return cast - sa.case((x < cast, 1), else_=0)


_SINCE = sa.bindparam("since", type_=sa.DateTime)
_UNTIL = sa.bindparam("until", type_=sa.DateTime)
_CELL = sa.bindparam("cell", type_=sa.Float)
_IN_WINDOW = sa.and_(alarms.c.ts >= _SINCE, alarms.c.ts <= _UNTIL)


def _counted(*keys: Any) -> sa.Select:
    """count(*) per keys over the window, keys computed in a subquery (PostgreSQL groups by them)."""
    inner = sa.select(*keys).where(_IN_WINDOW).subquery()
    cols = [inner.c[k.name] for k in keys]
    return sa.select(*cols, sa.func.count().label("n")).group_by(*cols).order_by(*cols)


HOURLY = _counted(hour_bucket(alarms.c.ts).label("hour"))
DAILY_CATEGORY = _counted(day_bucket(alarms.c.ts).label("day"), alarms.c.category.label("category"))
COUNTY_HOURLY = _counted(hour_bucket(alarms.c.ts).label("hour"), alarms.c.county.label("county"))
GRID = _counted(
    floor_int(alarms.c.lon / _CELL).label("gx"), floor_int(alarms.c.lat / _CELL).label("gy")
)
COUNT = sa.select(sa.func.count().label("n")).select_from(alarms).where(_IN_WINDOW)

AREAS = sa.select(areas).order_by(areas.c.area_id)
CROWDS_LATEST = latest_per_key(crowds, "area_id", crowds.c.ts <= _UNTIL)
CAMERAS_LATEST = latest_per_key(cameras, "county", cameras.c.ts <= _UNTIL)
_FROM_DAY = sa.bindparam("from_day", type_=sa.Date)
_TO_DAY = sa.bindparam("to_day", type_=sa.Date)
CASES_BY_COUNTY = (
    sa.select(
        cases.c.county,
        sa.func.sum(cases.c.registered).label("registered"),
        sa.func.sum(cases.c.solved).label("solved"),
    )
    .where(cases.c.date >= _FROM_DAY, cases.c.date <= _TO_DAY)
    .group_by(cases.c.county)
    .order_by(cases.c.county)
)


def _rows(
    source: Any, statement: sa.Executable, params: dict[str, Any] | None = None
) -> list[dict]:
    """Rows with plain ints: PostgreSQL sums and counts arrive as Decimal."""
    out = []
    for row in source.fetch(statement, params):
        out.append(
            {
                k: int(v) if k in ("n", "registered", "solved") and v is not None else v
                for k, v in row.items()
            }
        )
    return out


def _midnight(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def fetch_alarms(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Alarm aggregates for the trend, spike, category, county and density panels."""
    at = local_now(now)
    today, until = _midnight(at), at + FUTURE_SLACK
    window = {"since": today - timedelta(days=BASELINE_DAYS), "until": until}
    yesterday = {"since": today - timedelta(days=1), "until": at - timedelta(days=1)}
    return {
        "now": at,
        "cell_deg": CELL_DEG,
        "hourly": _rows(source, HOURLY, window),
        "daily": _rows(
            source,
            DAILY_CATEGORY,
            {"since": today - timedelta(days=TREND_DAYS - 1), "until": until},
        ),
        "county_hourly": _rows(source, COUNTY_HOURLY, {"since": today, "until": until}),
        "yesterday_same_time": _rows(source, COUNT, yesterday)[0]["n"],
        "grid": _rows(
            source,
            GRID,
            {"since": at - timedelta(hours=DENSITY_HOURS), "until": until, "cell": CELL_DEG},
        ),
        "density_hours": DENSITY_HOURS,
    }


def fetch_areas(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """The key areas and each one's latest crowd count."""
    at = local_now(now)
    return {
        "now": at,
        "areas": _rows(source, AREAS),
        "latest": _rows(source, CROWDS_LATEST, {"until": at + FUTURE_SLACK}),
    }


def fetch_status(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Each county's latest camera status and its cases over the last CASE_DAYS days."""
    at = local_now(now)
    period = {"from_day": at.date() - timedelta(days=CASE_DAYS - 1), "to_day": at.date()}
    return {
        "now": at,
        "cameras": _rows(source, CAMERAS_LATEST, {"until": at + FUTURE_SLACK}),
        "cases": _rows(source, CASES_BY_COUNTY, period),
        "case_days": CASE_DAYS,
        "case_from": period["from_day"],
        "case_to": period["to_day"],
    }
