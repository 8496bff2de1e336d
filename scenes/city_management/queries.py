"""Named reads for the 城市管理 scene: aggregates in SQL with bound parameters only.

Three products:
- parts: the part inventory counted per major class (the 2 digits after the county code,
  `substr(part_id, 7, 2)`) and status; the class names come from the options in the transform;
- cases: `case_stats.case_summary` (today / this week / this month and the month per
  department, raw counts for both 应结案数 rules: the hub fetches without options, so the
  transform applies `due_includes_early` with `case_stats.combine`; overdue per department),
  this month's cases per class, open cases per workflow state and per county, overdue 突发事件
  cases (bounded) and the last DENSITY_DAYS days' cases binned on a CELL_DEG grid;
- drill: for every (rate, period) the cases behind the rate (bounded by DRILL_CAP, with the
  total count) and the workflow history of each list's first case.

Every time is naive Asia/Shanghai wall time (`local_now`); periods end at `now`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from data_sources.case_stats import OPEN_CLOCK, case_summary, due_condition, period_bounds
from data_sources.datasets.base import local_now
from data_sources.datasets.cases import case_transitions, cases, city_parts
from indicators.cases import FINISHED, State
from scenes.city_management.options import DRILL_CAP

SOURCE = "城管"
EMERGENCY = "突发事件"
PERIODS = ("today", "week", "month")
RATE_KEYS = (
    "registration_rate",
    "dispatch_rate",
    "closure_rate",
    "ontime_closure_rate",
    "rework_rate",
    "extension_rate",
)
DENSITY_DAYS = 7
CELL_DEG = 0.01  # density grid: floor(lon / 0.01°), floor(lat / 0.01°) on WGS-84 (~1 km)
CORE_CELL_DEG = 0.005  # the central urban inset's finer grid (~500 m)
# The central urban area (WGS-84 lon/lat bounds), where most 城管 cases are: the map's inset.
CORE = (115.93, 36.425, 116.04, 36.48)
EMERGENCY_CAP = 30  # overdue 突发事件 cases kept for the alerts
FINISHED_STATES = sorted(s.value for s in FINISHED)

c = cases.c
p = city_parts.c
_SOURCE = c.source == sa.bindparam("source", type_=sa.String)
_NOW = sa.bindparam("now", type_=sa.DateTime)
_A = sa.bindparam("a", type_=sa.DateTime)
_B = sa.bindparam("b", type_=sa.DateTime)
_CAP = sa.bindparam("cap", type_=sa.Integer)
IS_OPEN = c.state.not_in(FINISHED_STATES)
IS_OVERDUE = sa.and_(OPEN_CLOCK, c.deadline < _NOW)


def _n(cond: Any) -> Any:
    return sa.func.sum(sa.case((cond, 1), else_=0))


def floor_int(x: Any) -> Any:
    """floor(x) as an integer on every dialect: SQLite's CAST truncates, PostgreSQL's rounds."""
    cast = sa.cast(x, sa.Integer)
    return cast - sa.case((x < cast, 1), else_=0)


# Parts -------------------------------------------------------------------------------------

_classed = sa.select(
    sa.func.substr(p.part_id, 7, 2).label("major"), p.status.label("status")
).subquery()
# Grouped on the subquery's column: PostgreSQL would not match two separately bound substr().
PARTS_BY_CLASS = (
    sa.select(_classed.c.major, _classed.c.status, sa.func.count().label("n"))
    .group_by(_classed.c.major, _classed.c.status)
    .order_by(_classed.c.major, _classed.c.status)
)

# Cases -------------------------------------------------------------------------------------

_IN_PERIOD = sa.and_(c.reported_at >= _A, c.reported_at <= _B)
CATEGORIES = (
    sa.select(
        c.kind,
        c.category,
        sa.func.count().label("n"),
        _n(c.closed_at.is_not(None)).label("closed"),
        _n(IS_OPEN).label("open"),
    )
    .where(_SOURCE, _IN_PERIOD)
    .group_by(c.kind, c.category)
    .order_by(c.kind, c.category)
)
STAGES = (
    sa.select(c.state, sa.func.count().label("n"))
    .where(_SOURCE, IS_OPEN)
    .group_by(c.state)
    .order_by(c.state)
)
COUNTIES = (
    sa.select(c.county, sa.func.count().label("open"), _n(IS_OVERDUE).label("overdue"))
    .where(_SOURCE, IS_OPEN)
    .group_by(c.county)
    .order_by(c.county)
)
_EMERGENCY = sa.and_(
    _SOURCE,
    c.kind == sa.bindparam("kind", type_=sa.String),
    c.category == sa.bindparam("category", type_=sa.String),
    IS_OVERDUE,
)
EMERGENCIES = (
    sa.select(c.case_id, c.subcategory, c.county, c.department, c.deadline, c.state, c.reported_at)
    .where(_EMERGENCY)
    .order_by(c.deadline, c.case_id)
    .limit(_CAP)
)
EMERGENCY_COUNT = sa.select(sa.func.count().label("n")).select_from(cases).where(_EMERGENCY)


def _grid(*where: Any) -> sa.Select:
    """count(*) per density cell; the cell indices are computed in a subquery."""
    cells = (
        sa.select(
            floor_int(c.lon / sa.bindparam("cell", type_=sa.Float)).label("gx"),
            floor_int(c.lat / sa.bindparam("cell", type_=sa.Float)).label("gy"),
        )
        .where(_SOURCE, _IN_PERIOD, *where)
        .subquery()
    )
    return (
        sa.select(cells.c.gx, cells.c.gy, sa.func.count().label("n"))
        .group_by(cells.c.gx, cells.c.gy)
        .order_by(cells.c.gx, cells.c.gy)
    )


GRID = _grid()
CORE_GRID = _grid(
    c.lon >= sa.bindparam("x0", type_=sa.Float),
    c.lon < sa.bindparam("x1", type_=sa.Float),
    c.lat >= sa.bindparam("y0", type_=sa.Float),
    c.lat < sa.bindparam("y1", type_=sa.Float),
)

# Drill lists -------------------------------------------------------------------------------
# 应结案 under the 提前结案 rule is a superset of the by-deadline rule; a row's `early` flag
# says it is 应结案 only through 提前结案 (its deadline is after the period), so the transform
# can drop those rows and use `total_strict` when `due_includes_early` is off. Rows that are
# early only are ordered last, so the strict list is always a prefix of the fetched one.

_DUE = due_condition(_A, _B, True)
_DUE_STRICT = due_condition(_A, _B, False)
_EARLY = sa.case((c.deadline > _B, 1), else_=0)
_WAITING = sa.case((c.state == State.CANCELLED.value, 1), else_=0)  # pending first
_NOT_CLOSED = c.closed_at.is_(None)
_LATE = sa.or_(c.closed_at.is_(None), c.closed_at > c.deadline)
# rate -> (condition under the early rule, condition under the strict rule, ORDER BY)
DRILL_SETS: dict[str, tuple[Any, Any, tuple[Any, ...]]] = {
    "registration_rate": (
        sa.and_(c.accepted_at >= _A, c.accepted_at <= _B, c.registered_at.is_(None)),
        None,
        (_WAITING, c.accepted_at, c.case_id),
    ),
    "dispatch_rate": (  # the acceptance cohort of case_stats: registered, not dispatched
        sa.and_(
            c.accepted_at >= _A,
            c.accepted_at <= _B,
            c.registered_at.is_not(None),
            c.dispatched_at.is_(None),
        ),
        None,
        (_WAITING, c.registered_at, c.case_id),
    ),
    "closure_rate": (sa.and_(_DUE, _NOT_CLOSED), None, (c.deadline, c.case_id)),
    "ontime_closure_rate": (sa.and_(_DUE, _LATE), None, (c.deadline, c.case_id)),
    "rework_rate": (
        sa.and_(_DUE, c.rework_count > 0),
        sa.and_(_DUE_STRICT, c.rework_count > 0),
        (_EARLY, c.deadline, c.case_id),
    ),
    "extension_rate": (
        sa.and_(_DUE, c.extension_count > 0),
        sa.and_(_DUE_STRICT, c.extension_count > 0),
        (_EARLY, c.deadline, c.case_id),
    ),
}
# Any milestone in the period moves updated_at into it; 应结案 needs the deadline in it or a
# 结案 in it (which moves updated_at too): the same index-friendly filter as case_stats.
_RELEVANT = sa.and_(
    _SOURCE, sa.or_(c.updated_at >= _A, sa.and_(c.deadline >= _A, c.deadline <= _B))
)
DRILL_COLUMNS = (
    c.case_id,
    c.category,
    c.subcategory,
    c.county,
    c.department,
    c.state,
    c.accepted_at,
    c.registered_at,
    c.deadline,
    c.closed_at,
    c.rework_count,
    c.extension_count,
)


def _totals() -> sa.Select:
    cols = []
    for rate, (early, strict, _) in DRILL_SETS.items():
        cols.append(_n(early).label(f"{rate}__early"))
        cols.append(_n(strict if strict is not None else early).label(f"{rate}__strict"))
    return sa.select(*cols).where(_RELEVANT)


DRILL_TOTALS = _totals()
DRILL_LISTS = {
    rate: sa.select(*DRILL_COLUMNS, _EARLY.label("early"))
    .where(_RELEVANT, cond)
    .order_by(*order)
    .limit(_CAP)
    for rate, (cond, _, order) in DRILL_SETS.items()
}
HISTORY = (
    sa.select(
        case_transitions.c.case_id,
        case_transitions.c.seq,
        case_transitions.c.ts,
        case_transitions.c.state,
        case_transitions.c.department,
        case_transitions.c.note,
    )
    .where(case_transitions.c.case_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(case_transitions.c.case_id, case_transitions.c.seq)
)


# Fetches -----------------------------------------------------------------------------------


def _ints(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """Plain ints: PostgreSQL sums arrive as Decimal, and SUM over no row as None."""
    return [{k: int(v or 0) if k in keys else v for k, v in r.items()} for r in rows]


def fetch_parts(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """The part inventory per major class code and status."""
    return {
        "now": local_now(now),
        "by_class": _ints(source.fetch(PARTS_BY_CLASS), ("n",)),
    }


def fetch_cases(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Rates' counts (both 应结案 rules), overdue, ranking, classes, stages, counties, density."""
    at = local_now(now)
    month_a, _ = period_bounds(at)["month"]
    base = {"source": SOURCE, "now": at}
    month = {"source": SOURCE, "a": month_a, "b": at}
    emergency = {**base, "kind": "事件", "category": EMERGENCY}
    density = {"source": SOURCE, "a": at - timedelta(days=DENSITY_DAYS), "b": at, "cell": CELL_DEG}
    core = dict(zip(("x0", "y0", "x1", "y1"), CORE, strict=True)) | {"cell": CORE_CELL_DEG}
    summary = case_summary(source, SOURCE, at)  # raw counts: the transform applies the rule
    return {
        "now": at,
        "month_from": month_a,
        "periods": summary["periods"],
        "overdue": summary["overdue"],
        "departments": summary["departments"],
        "categories": _ints(source.fetch(CATEGORIES, month), ("n", "closed", "open")),
        "stages": _ints(source.fetch(STAGES, {"source": SOURCE}), ("n",)),
        "counties": _ints(source.fetch(COUNTIES, base), ("open", "overdue")),
        "emergencies": source.fetch(EMERGENCIES, {**emergency, "cap": EMERGENCY_CAP}),
        "emergency_total": _ints(source.fetch(EMERGENCY_COUNT, emergency), ("n",))[0]["n"],
        "grid": _ints(source.fetch(GRID, density), ("n",)),
        "cell_deg": CELL_DEG,
        "core_grid": _ints(source.fetch(CORE_GRID, {**density, **core}), ("n",)),
        "core_cell_deg": CORE_CELL_DEG,
        "core": list(CORE),
        "density_days": DENSITY_DAYS,
    }


def fetch_drill(source: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """For every (rate, period): at most DRILL_CAP cases behind the rate and the totals."""
    at = local_now(now)
    bounds = period_bounds(at)
    lists: dict[str, Any] = {}
    for period in PERIODS:
        a, b = bounds[period]
        params = {"source": SOURCE, "a": a, "b": b}
        (totals,) = _ints(source.fetch(DRILL_TOTALS, params), tuple(DRILL_TOTALS.selected_columns.keys()))  # fmt: skip
        for rate in RATE_KEYS:
            rows = _ints(
                source.fetch(DRILL_LISTS[rate], {**params, "cap": DRILL_CAP}),
                ("rework_count", "extension_count", "early"),
            )
            lists[f"{rate}.{period}"] = {
                "total_early": totals[f"{rate}__early"],
                "total_strict": totals[f"{rate}__strict"],
                "rows": rows,
            }
    first = sorted({v["rows"][0]["case_id"] for v in lists.values() if v["rows"]})
    history: dict[str, list[dict]] = {}
    if first:
        for r in source.fetch(HISTORY, {"ids": first}):
            history.setdefault(r["case_id"], []).append(
                {k: r[k] for k in ("ts", "state", "department", "note")}
            )
    return {
        "now": at,
        "cap": DRILL_CAP,
        "periods": {k: {"a": a, "b": b} for k, (a, b) in bounds.items()},
        "lists": lists,
        "history": history,
    }
