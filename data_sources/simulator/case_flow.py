"""Simulated case lifecycles for the case workflow (网格 events and 城管 cases alike).

A case's whole life is a pure function of (seed, hour it was reported, its number in that
hour): realistic step delays, the handling deadline of its category, and seeded shares of
不予受理/不予立案 (作废), 回退, 延期, 缓办, 返工 and cases that finish late. Every step obeys
`indicators.cases.TRANSITIONS` (a test replays them all), so the ingest writer accepts them.

`history` sends reports and steps hour by hour. `live` resends, for every case that moved since
the last call (the last day on the first call), its report and all its steps so far: the writer
takes repeats as no-ops, so a collector restart or a late start never leaves a case stuck.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from data_sources.datasets.base import to_local_naive
from data_sources.simulator.base import Batch
from indicators.cases import State

EPOCH = datetime(2000, 1, 1)
HOUR = timedelta(hours=1)
MAX_LIFE = timedelta(days=14)  # steps later than this after the report are not simulated
CATCH_UP = timedelta(days=1)
S = State


@dataclass(frozen=True)
class Shares:
    """How often each branch happens (per case)."""

    not_accepted: float = 0.03
    not_registered: float = 0.03
    returned: float = 0.04
    extended: float = 0.06
    suspended: float = 0.015
    rework: float = 0.08
    evaluated: float = 0.6
    slow: float = 0.3  # median handling time as a share of the time limit


@dataclass(frozen=True)
class Profile:
    """A category's handling time limit and the departments that take it."""

    limit_h: float
    departments: tuple[str, ...]


def hour_index(ts: datetime) -> int:
    """Hours since EPOCH: the key of everything reported in that hour."""
    return int((ts - EPOCH).total_seconds() // 3600)


def _minutes(rng: np.random.Generator, lo: float, hi: float) -> timedelta:
    return timedelta(minutes=float(rng.uniform(lo, hi)))


def lifecycle(
    rng: np.random.Generator, reported_at: datetime, profile: Profile, shares: Shares
) -> list[dict[str, Any]]:
    """The steps after 上报 as (state, ts, department, deadline) dicts, in time order."""
    steps: list[dict[str, Any]] = []
    t = reported_at

    def step(state: State, gap: timedelta, **extra: Any) -> None:
        nonlocal t
        t = t + gap
        steps.append({"state": state.value, "ts": t.replace(microsecond=0), **extra})

    step(S.ACCEPTED if rng.random() >= shares.not_accepted else S.CANCELLED, _minutes(rng, 2, 25))
    if steps[-1]["state"] == S.CANCELLED:
        return steps
    step(S.REGISTERED if rng.random() >= shares.not_registered else S.CANCELLED, _minutes(rng, 3, 40))  # fmt: skip
    if steps[-1]["state"] == S.CANCELLED:
        return steps
    limit = timedelta(hours=profile.limit_h)
    depts = profile.departments
    dept = depts[int(rng.integers(0, len(depts)))]
    step(S.DISPATCHED, _minutes(rng, 5, 50), department=dept)
    deadline = (t + limit).replace(microsecond=0)
    steps[-1]["deadline"] = deadline
    if rng.random() < shares.returned:
        step(S.RETURNED, _minutes(rng, 20, 120), note="非本部门职责")
        other = depts[(depts.index(dept) + 1) % len(depts)]
        step(S.DISPATCHED, _minutes(rng, 10, 60), department=other)
    step(S.PROCESSING, _minutes(rng, 10, 90))
    rounds = 0
    while True:
        work = limit * float(shares.slow * np.exp(rng.normal(0, 0.7)))
        if rounds == 0 and rng.random() < shares.suspended:
            step(S.SUSPENDED, work * 0.3, deadline=(t + work * 0.3 + limit).replace(microsecond=0))
            deadline = steps[-1]["deadline"]
            step(S.PROCESSING, _minutes(rng, 60, 600))
        if rounds == 0 and rng.random() < shares.extended:
            new = (deadline + limit).replace(microsecond=0)
            step(S.EXTENDED, work * 0.4, deadline=new, note="需协调其他部门")
            deadline = new
            work = work * 1.4
        step(S.PROCESSED, work * (0.6 if steps[-1]["state"] == S.EXTENDED else 1.0))
        if rounds < 2 and rng.random() < shares.rework:
            step(S.REWORK, _minutes(rng, 20, 180), note="核查未通过")
            step(S.PROCESSING, _minutes(rng, 10, 60))
            rounds += 1
            continue
        break
    # 核查 and 结案 follow quickly for urgent classes (a 4 h limit cannot wait 2 h for a check).
    check = min(150.0, profile.limit_h * 6)
    step(S.VERIFIED, _minutes(rng, check / 10, check))
    step(S.CLOSED, _minutes(rng, 2, check / 4))
    if rng.random() < shares.evaluated:
        step(S.EVALUATED, _minutes(rng, 60, 24 * 60))
    return [s for s in steps if s["ts"] - reported_at <= MAX_LIFE]


# (seed, hour index) -> reports of that hour, each with its profile; domain-specific.
HourReports = Callable[[int], list[tuple[dict[str, Any], Profile]]]


@dataclass
class Case:
    """A simulated case: its `cases` report and its later steps."""

    report: dict[str, Any]
    steps: list[dict[str, Any]]


class CaseFlow:
    """Hour-keyed cache of simulated cases for one domain (instance state, one per simulator)."""

    def __init__(self, seed: int, tag: int, reports: HourReports, shares: Shares) -> None:
        self.seed, self.tag, self.reports, self.shares = seed, tag, reports, shares
        self._hours: dict[int, list[Case]] = {}
        self._sent_until: datetime | None = None

    def hour(self, h: int) -> list[Case]:
        """Every case reported in hour `h`, with its whole (capped) life."""
        if h not in self._hours:
            out = []
            for k, (report, profile) in enumerate(self.reports(h)):
                rng = np.random.default_rng([self.seed, self.tag, h, k, 1])
                out.append(
                    Case(report, lifecycle(rng, report["reported_at"], profile, self.shares))
                )
            self._hours[h] = out
            oldest = h - int(MAX_LIFE / HOUR) - 48
            for stale in [k for k in self._hours if k < oldest]:
                del self._hours[stale]
        return self._hours[h]

    @staticmethod
    def _step_rows(case: Case, upto: datetime, since: datetime | None = None) -> list[dict]:
        cid = case.report["case_id"]
        return [
            {"case_id": cid, **s}
            for s in case.steps
            if s["ts"] <= upto and (since is None or s["ts"] >= since)
        ]

    def history(self, start: datetime, end: datetime) -> Iterator[Batch]:
        """Reports in [start, end) and their steps before `end`, one hour per pair of batches."""
        start, end = to_local_naive(start), to_local_naive(end)
        first, last = hour_index(start), hour_index(end - timedelta(microseconds=1))
        pending: dict[int, list[dict]] = {}
        for h in range(first, last + 1):
            reports = [c.report for c in self.hour(h) if start <= c.report["reported_at"] < end]
            for c in self.hour(h):
                if start <= c.report["reported_at"] < end:
                    for row in self._step_rows(c, end - timedelta(microseconds=1)):
                        pending.setdefault(hour_index(row["ts"]), []).append(row)
            steps = pending.pop(h, [])
            if reports:
                yield ("cases", reports)
            if steps:
                yield ("case_transitions", sorted(steps, key=lambda r: r["ts"]))

    def live(self, now: datetime) -> list[Batch]:
        """Reports and steps of every case that moved since the last call (see module doc)."""
        now = to_local_naive(now)
        since = self._sent_until or now - CATCH_UP
        reports, steps = [], []
        for h in range(hour_index(now - MAX_LIFE), hour_index(now) + 1):
            for c in self.hour(h):
                reported = c.report["reported_at"]
                if reported > now or (
                    reported < since and (not c.steps or c.steps[-1]["ts"] < since)
                ):
                    continue
                moved = c.report["reported_at"] >= since or any(
                    since <= s["ts"] <= now for s in c.steps
                )
                if moved:
                    reports.append(c.report)
                    steps += self._step_rows(c, now)
        self._sent_until = now
        out: list[Batch] = []
        if reports:
            out.append(("cases", reports))
        if steps:
            out.append(("case_transitions", sorted(steps, key=lambda r: r["ts"])))
        return out
