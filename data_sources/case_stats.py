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

from collections.abc import Mapping, Sequence
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
    return sa.func.sum(sa.case((cond, 1), else_=0))


def _between(col: Any, a: Any, b: Any) -> Any:
    return sa.and_(col >= a, col <= b)


def _due(a: Any, b: Any, early: bool) -> Any:
    """The 应结案 condition for the period [a, b]."""
    by_deadline = _between(c.deadline, a, b)
    cond = by_deadline
    if early:
        cond = sa.or_(by_deadline, sa.and_(_between(c.closed_at, a, b), c.deadline > b))
    return sa.and_(c.state != State.CANCELLED.value, cond)


def period_columns(tag: str, a: Any, b: Any, early: bool) -> list[Any]:
    """The eight `case_rates` counts and the mean handling time for one period, labelled."""
    due = _due(a, b, early)
    handled = _between(c.handled_at, a, b)
    return [
        _count(_between(c.accepted_at, a, b)).label(f"{tag}accepted"),
        _count(_between(c.registered_at, a, b)).label(f"{tag}registered"),
        _count(_between(c.dispatched_at, a, b)).label(f"{tag}dispatched"),
        _count(due).label(f"{tag}due"),
        _count(sa.and_(due, c.closed_at.is_not(None))).label(f"{tag}closed"),
        _count(sa.and_(due, c.closed_at <= c.deadline)).label(f"{tag}closed_ontime"),
        _count(sa.and_(due, c.rework_count > 0)).label(f"{tag}rework"),
        _count(sa.and_(due, c.extension_count > 0)).label(f"{tag}extended"),
        sa.func.avg(
            sa.case((handled, epoch_s(c.handled_at) - epoch_s(c.dispatched_at)), else_=None)
        ).label(f"{tag}handling_s"),
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


def rates_statement(periods: Sequence[str], *, early: bool) -> sa.Select:
    """One SELECT giving every period's counts for one `source` (bound parameters only)."""
    cols: list[Any] = []
    relevant = []
    for p in periods:
        a, b = sa.bindparam(f"{p}_a", type_=sa.DateTime), sa.bindparam(f"{p}_b", type_=sa.DateTime)
        cols += period_columns(f"{p}__", a, b, early)
        relevant += [c.updated_at >= a, _between(c.deadline, a, b)]
    return sa.select(*cols).where(c.source == sa.bindparam("source"), sa.or_(*relevant))


def period_counts(
    store: Any,
    source: str,
    now: datetime,
    *,
    early: bool = True,
    periods: Sequence[str] = ("today", "week", "month"),  # fmt: skip
) -> dict[str, dict[str, Any]]:
    """{period: {count: int, 'handling_s': float | None, 'handled': int}} for one case source."""
    bounds = period_bounds(now)
    params: dict[str, Any] = {"source": source}
    for p in periods:
        params[f"{p}_a"], params[f"{p}_b"] = bounds[p]
    (row,) = store.fetch(rates_statement(periods, early=early), params)
    return {p: _period(row, p) for p in periods}


def _period(row: Mapping[str, Any], p: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in (*COUNT_FIELDS, "handled"):
        out[key] = int(row[f"{p}__{key}"] or 0)
    h = row[f"{p}__handling_s"]
    out["handling_s"] = None if h is None else float(h)
    return out


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
    handled = _between(c.handled_at, a, b)
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
            sa.or_(c.updated_at >= a, _between(c.deadline, a, b)),
        )
        .group_by(c.department)
        .order_by(c.department)
    )
