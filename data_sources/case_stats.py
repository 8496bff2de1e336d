"""Case-workflow aggregates in SQL, shared by the 网格化治理 and 城市管理 scenes and the bench.

Every count is one SUM(CASE ...) over the `cases` table, whose milestone columns the workflow
writer keeps, so a month of 100k cases is one indexed pass, never rows pulled into Python.

Period semantics (docs/cases.md): a period runs from its start to `now`.
- 受理数: cases whose first 受理 falls in the period; 立案数 and 派遣数: those of them that
  have been registered / dispatched (one cohort, so 派遣 <= 立案 <= 受理 always).
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


def due_condition(a: Any, b: Any, early: bool) -> Any:
    """The 应结案 condition for the period [a, b] (the drill lists use it row by row)."""
    by_deadline = _between(c.deadline, a, b)
    cond = by_deadline
    if early:
        cond = sa.or_(by_deadline, sa.and_(_between(c.closed_at, a, b), c.deadline > b))
    return sa.and_(c.state != State.CANCELLED.value, cond)


def period_columns(a: Any, now: Any) -> list[Any]:
    """The counts of the period [a, now] under both 应结案数 rules, and the handling time.

    `due`… `extended` count cases whose deadline falls in the period; `early`, `early_rework`
    and `early_extended` count cases closed in it before their deadline (提前结案), which
    `combine` adds when the rule includes them (an early closure is closed and on time).
    Milestones are past events (ingest refuses times more than a few minutes ahead), so "in
    [a, now]" is tested as ">= a"; only the deadline, which lies ahead, needs both ends.
    """
    live = c.state != State.CANCELLED.value
    accepted = c.accepted_at >= a
    due = sa.and_(live, c.deadline >= a, c.deadline <= now)
    early = sa.and_(live, c.closed_at >= a, c.deadline > now)
    handled = c.handled_at >= a
    return [
        _count(accepted).label("accepted"),
        _count(sa.and_(accepted, c.registered_at.is_not(None))).label("registered"),
        _count(sa.and_(accepted, c.dispatched_at.is_not(None))).label("dispatched"),
        _count(due).label("due"),
        _count(sa.and_(due, c.closed_at.is_not(None))).label("closed"),
        _count(sa.and_(due, c.closed_at <= c.deadline)).label("closed_ontime"),
        _count(sa.and_(due, c.rework_count > 0)).label("rework"),
        _count(sa.and_(due, c.extension_count > 0)).label("extended"),
        _count(early).label("early"),
        _count(sa.and_(early, c.rework_count > 0)).label("early_rework"),
        _count(sa.and_(early, c.extension_count > 0)).label("early_extended"),
        sa.func.sum(
            sa.case((handled, epoch_s(c.handled_at) - epoch_s(c.dispatched_at)), else_=None)
        ).label("handling_sum"),
        _count(handled).label("handled"),
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


def period_statement(*, by_department: bool = False) -> sa.Select:
    """The counts for one period [:a, :now] of one :source, optionally per department.

    One statement per period lets each read only the cases its period touches (moved since its
    start, or due in it); the month's, grouped by department, is also the ranking.
    """
    a = sa.bindparam("a", type_=sa.DateTime)
    now = sa.bindparam("now", type_=sa.DateTime)
    cols = period_columns(a, now)
    stmt = sa.select(*([c.department] if by_department else []), *cols).where(
        c.source == sa.bindparam("source"), sa.or_(c.updated_at >= a, c.deadline >= a)
    )
    return stmt.group_by(c.department).order_by(c.department) if by_department else stmt


RAW_FIELDS = (*COUNT_FIELDS, "early", "early_rework", "early_extended", "handled")


def _raw(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: int(row[k] or 0) for k in RAW_FIELDS}
    out["handling_sum"] = float(row["handling_sum"] or 0.0)
    return out


def combine(raw: Mapping[str, Any], *, early: bool) -> dict[str, Any]:
    """The `case_rates` counts under one 应结案数 rule, plus `handled` and the mean `handling_s`."""
    out = {k: raw[k] for k in (*COUNT_FIELDS, "handled")}
    if early:
        for k in ("due", "closed", "closed_ontime"):
            out[k] += raw["early"]
        out["rework"] += raw["early_rework"]
        out["extended"] += raw["early_extended"]
    out["handling_s"] = raw["handling_sum"] / raw["handled"] if raw["handled"] else None
    return out


def case_summary(store: Any, source: str, now: datetime) -> dict[str, Any]:
    """Everything the KPI panels need for one case source, in four aggregate statements.

    `periods` (today/week/month) and `departments` (the month per department: the ranking;
    summed, the month) hold raw counts for both 应结案数 rules — pass them through `combine`;
    `overdue` lists open cases past their deadline per department.
    """
    bounds = period_bounds(now)
    params = {"source": source, "now": now}
    periods: dict[str, dict[str, Any]] = {}
    for p in ("today", "week"):
        (row,) = store.fetch(period_statement(), {**params, "a": bounds[p][0]})
        periods[p] = _raw(row)
    rows = store.fetch(period_statement(by_department=True), {**params, "a": bounds["month"][0]})
    month = dict.fromkeys(RAW_FIELDS, 0) | {"handling_sum": 0.0}
    departments = []
    for row in rows:
        raw = _raw(row)
        for k in month:
            month[k] += raw[k]
        if row["department"] is not None:
            departments.append({"department": row["department"], **raw})
    periods["month"] = month
    overdue = [
        {"department": r["department"], "n": int(r["n"])}
        for r in store.fetch(overdue_statement(), params)
    ]
    return {"periods": periods, "departments": departments, "overdue": overdue}


def period_counts(
    store: Any, source: str, now: datetime, *, early: bool = True
) -> dict[str, dict[str, Any]]:
    """{today|week|month: `case_rates` counts + handled + handling_s} under one rule."""
    periods = case_summary(store, source, now)["periods"]
    return {p: combine(raw, early=early) for p, raw in periods.items()}


def overdue_statement() -> sa.Select:
    """Open cases past their deadline per department (缓办 paused, finished ones excluded)."""
    late = sa.and_(OPEN_CLOCK, c.deadline < sa.bindparam("now", type_=sa.DateTime))
    return (
        sa.select(c.department, sa.func.count().label("n"))
        .where(c.source == sa.bindparam("source"), late)
        .group_by(c.department)
        .order_by(sa.func.count().desc(), c.department)
    )
