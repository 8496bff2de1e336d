"""Case-workflow aggregates in SQL, shared by the 网格化治理 and 城市管理 scenes and the bench.

Every count is one SUM(CASE ...) over the `cases` table, whose milestone columns the workflow
writer keeps, so a month of 100k cases is one indexed pass, never rows pulled into Python.

Period semantics (docs/city_management.md): a period runs from its start to `now`.
- 受理/立案/派遣数: cases whose first 受理/立案/派遣 falls in the period.
- 应结案数: cases (not 作废) whose handling deadline falls in the period, plus, when
  `due_includes_early`, cases closed in the period before their deadline came (提前结案).
- 结案/按期结案/返工/延期数: those of the 应结案 cases that are closed / closed by their
  deadline / were ever sent back by 核查 / were ever extended.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from data_sources.datasets.cases import cases
from indicators.cases import FINISHED, State

c = cases.c
OPEN_CLOCK = sa.and_(c.state.not_in([s.value for s in FINISHED]), c.state != State.SUSPENDED.value)


class epoch_s(FunctionElement):  # noqa: N801 - reads like the SQL function it renders
    """Seconds since 1970 of a naive timestamp, per dialect."""

    type = sa.Float()
    inherit_cache = True


@compiles(epoch_s)
def _epoch_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_s, "postgresql")
def _epoch_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"extract(epoch from {compiler.process(element.clauses, **kw)})"


def _count(cond: Any) -> Any:
    # SUM(CAST(bool AS INTEGER)): cheaper than CASE per row on SQLite; NULL comparisons add nothing.
    return sa.func.sum(sa.cast(cond, sa.Integer))


def _between(col: Any, a: Any, b: Any) -> Any:
    return sa.and_(col >= a, col <= b)


def _due(a: Any, b: Any, early: bool) -> Any:
    """The 应结案 condition for the period [a, b]."""
    by_deadline = _between(c.deadline, a, b)
    cond = by_deadline
    if early:
        cond = sa.or_(by_deadline, sa.and_(_between(c.closed_at, a, b), c.deadline > b))
    return sa.and_(c.state != State.CANCELLED.value, cond)


def period_columns(tag: str, a: Any, now: Any, early: bool) -> list[Any]:
    """The eight `case_rates` counts and the mean handling time for the period [a, now].

    Milestones are past events (ingest refuses times more than a few minutes ahead), so
    "in [a, now]" is tested as ">= a"; only the deadline, which lies ahead, needs both ends.
    """
    due = _due(a, now, early)
    handled = c.handled_at >= a
    return [
        _count(c.accepted_at >= a).label(f"{tag}accepted"),
        _count(c.registered_at >= a).label(f"{tag}registered"),
        _count(c.dispatched_at >= a).label(f"{tag}dispatched"),
        _count(due).label(f"{tag}due"),
        _count(sa.and_(due, c.closed_at.is_not(None))).label(f"{tag}closed"),
        _count(sa.and_(due, c.closed_at <= c.deadline)).label(f"{tag}closed_ontime"),
        _count(sa.and_(due, c.rework_count > 0)).label(f"{tag}rework"),
        _count(sa.and_(due, c.extension_count > 0)).label(f"{tag}extended"),
        sa.func.sum(
            sa.case((handled, epoch_s(c.handled_at) - epoch_s(c.dispatched_at)), else_=None)
        ).label(f"{tag}handling_sum"),
        _count(handled).label(f"{tag}handled"),
    ]


def period_bounds(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """today / week (from Monday) / month, each from its start up to `now`."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "today": (day, now),
        "week": (day - timedelta(days=day.weekday()), now),
        "month": (day.replace(day=1), now),
    }


COUNT_FIELDS = (
    "accepted",
    "registered",
    "dispatched",
    "due",
    "closed",
    "closed_ontime",
    "rework",
    "extended",
)


def period_statement(*, early: bool, by_department: bool = False) -> sa.Select:
    """The counts for one period [:a, :now] of one :source, optionally per department.

    One statement per period lets each read only the cases its period touches (moved since its
    start, or due in it); the month's, grouped by department, is also the ranking.
    """
    a = sa.bindparam("a", type_=sa.DateTime)
    now = sa.bindparam("now", type_=sa.DateTime)
    cols = period_columns("", a, now, early)
    stmt = sa.select(*([c.department] if by_department else []), *cols).where(
        c.source == sa.bindparam("source"), sa.or_(c.updated_at >= a, c.deadline >= a)
    )
    return stmt.group_by(c.department).order_by(c.department) if by_department else stmt


def _counts(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: int(row[k] or 0) for k in (*COUNT_FIELDS, "handled")}
    out["handling_sum"] = float(row["handling_sum"] or 0.0)
    return out


def _finish(counts: dict[str, Any]) -> dict[str, Any]:
    """Turn the summed handling seconds into a mean."""
    total = counts.pop("handling_sum")
    counts["handling_s"] = total / counts["handled"] if counts["handled"] else None
    return counts


def case_summary(store: Any, source: str, now: datetime, *, early: bool = True) -> dict[str, Any]:
    """Everything the KPI panels need for one case source, in four aggregate statements:

    periods (today/week/month counts and mean handling time), the month per department (the
    ranking; its sum is the month) and open cases past their deadline per department.
    """
    bounds = period_bounds(now)
    params = {"source": source, "now": now}
    periods: dict[str, dict[str, Any]] = {}
    for p in ("today", "week"):
        (row,) = store.fetch(period_statement(early=early), {**params, "a": bounds[p][0]})
        periods[p] = _finish(_counts(row))
    month_rows = store.fetch(
        period_statement(early=early, by_department=True), {**params, "a": bounds["month"][0]}
    )
    month = dict.fromkeys((*COUNT_FIELDS, "handled"), 0) | {"handling_sum": 0.0}
    departments = []
    for row in month_rows:
        counts = _counts(row)
        for k in month:
            month[k] += counts[k]
        if row["department"] is not None:
            departments.append({"department": row["department"], **_finish(counts)})
    periods["month"] = _finish(month)
    overdue = [
        {"department": r["department"], "n": int(r["n"])}
        for r in store.fetch(overdue_statement(), params)
    ]
    return {"periods": periods, "departments": departments, "overdue": overdue}


def period_counts(
    store: Any, source: str, now: datetime, *, early: bool = True
) -> dict[str, dict[str, Any]]:
    """{today|week|month: {count: int, 'handled': int, 'handling_s': float | None}}."""
    return case_summary(store, source, now, early=early)["periods"]


def overdue_statement() -> sa.Select:
    """Open cases past their deadline per department (缓办 paused, finished ones excluded)."""
    late = sa.and_(OPEN_CLOCK, c.deadline < sa.bindparam("now", type_=sa.DateTime))
    return (
        sa.select(c.department, sa.func.count().label("n"))
        .where(c.source == sa.bindparam("source"), late)
        .group_by(c.department)
        .order_by(sa.func.count().desc(), c.department)
    )


def department_statement(*, early: bool) -> sa.Select:
    """Per department over one period: due, closed on time, rework, mean handling time."""
    a, b = sa.bindparam("a", type_=sa.DateTime), sa.bindparam("b", type_=sa.DateTime)
    due = _due(a, b, early)
    handled = c.handled_at >= a  # a past event: see period_columns
    return (
        sa.select(
            c.department,
            _count(due).label("due"),
            _count(sa.and_(due, c.closed_at.is_not(None))).label("closed"),
            _count(sa.and_(due, c.closed_at <= c.deadline)).label("closed_ontime"),
            _count(sa.and_(due, c.rework_count > 0)).label("rework"),
            sa.func.avg(
                sa.case((handled, epoch_s(c.handled_at) - epoch_s(c.dispatched_at)), else_=None)
            ).label("handling_s"),
        )
        .where(
            c.source == sa.bindparam("source"),
            c.department.is_not(None),
            sa.or_(c.updated_at >= a, c.deadline >= a),
        )
        .group_by(c.department)
        .order_by(c.department)
    )
