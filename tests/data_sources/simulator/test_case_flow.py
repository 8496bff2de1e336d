"""Simulated case lives: every one obeys the workflow, the branch shares are realistic, and
history followed by live goes through the real ingest writer without a single refusal."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import numpy as np
import pytest

from data_sources.datasets import metadata
from data_sources.ingest import IngestService
from data_sources.memory import MemoryBackend
from data_sources.simulator.case_flow import (
    EPOCH,
    HOUR,
    CaseFlow,
    Profile,
    Shares,
    lifecycle,
)
from data_sources.sql import SqlSource
from indicators.cases import State, Step, replay

T0 = datetime(2026, 11, 20, 8, 0)
PROFILE = Profile(24, ("环卫处", "城管执法支队"))


def _steps(reported: datetime, steps: list[dict]) -> list[Step]:
    return [Step(reported, State.REPORTED)] + [
        Step(s["ts"], State(s["state"]), s.get("deadline")) for s in steps
    ]


def test_every_simulated_life_obeys_the_workflow() -> None:
    finals = Counter()
    for k in range(3000):
        steps = lifecycle(np.random.default_rng([1, k]), T0, PROFILE, Shares())
        finals[replay(f"C{k}", _steps(T0, steps))] += 1
        assert all(a["ts"] <= b["ts"] for a, b in zip(steps, steps[1:], strict=False))
    assert set(finals) <= {State.CLOSED, State.EVALUATED, State.CANCELLED}
    assert 0.03 < finals[State.CANCELLED] / 3000 < 0.1  # 不予受理 + 不予立案 ≈ 6 %


def test_branch_shares_and_late_closures_are_realistic() -> None:
    entered, late, n = Counter(), 0, 4000
    for k in range(n):
        steps = lifecycle(np.random.default_rng([2, k]), T0, PROFILE, Shares())
        entered.update({s["state"] for s in steps})
        deadline = max((s["deadline"] for s in steps if s.get("deadline")), default=None)
        closed = next((s["ts"] for s in steps if s["state"] == "结案"), None)
        late += bool(closed and deadline and closed > deadline)
    assert 0.05 < entered["返工"] / n < 0.12
    assert 0.03 < entered["延期"] / n < 0.09
    assert 0.02 < entered["回退"] / n < 0.07
    assert 0.02 < late / n < 0.2  # some cases finish late, most on time


def _reports(h: int) -> list[tuple[dict, Profile]]:
    hour = EPOCH + h * HOUR
    return [
        (
            {
                "case_id": f"T{h}-{k}", "source": "城管", "kind": "事件", "category": "市容环境",
                "subcategory": "暴露垃圾", "county": "371502", "lon": 115.98, "lat": 36.45,
                "reported_at": hour + timedelta(minutes=10 + 20 * k),
            },
            PROFILE,
        )
        for k in range(2)
    ]  # fmt: skip


@pytest.fixture
def service(tmp_path) -> IngestService:
    store = SqlSource("citydb", f"sqlite:///{tmp_path}/c.db")
    store.create_tables(metadata)
    return IngestService(store, MemoryBackend())


def _send(service: IngestService, batches) -> int:
    total = 0
    for name, rows in batches:
        result = service.ingest(name, rows)
        assert result.rejected == [], result.rejected[:3]
        total += result.accepted
    return total


def test_history_then_live_is_accepted_and_live_resends_only_what_moved(service) -> None:
    flow = CaseFlow(7, 1, _reports, Shares())
    end = T0 + timedelta(days=2)
    assert _send(service, flow.history(T0, end)) > 0
    first = flow.live(end + timedelta(minutes=30))  # catches up on the last day
    assert _send(service, first) > 0
    again = flow.live(end + timedelta(minutes=30, seconds=5))
    assert sum(len(rows) for _, rows in again) < sum(len(rows) for _, rows in first)
    _send(service, again)
    later = flow.live(end + timedelta(hours=30))  # a long pause: still no refusal
    _send(service, later)
    stored = service.store.fetch(
        metadata.tables["cases"].select().where(metadata.tables["cases"].c.state == "上报")
    )
    # Only cases reported in the last minutes can still be at 上报.
    assert all(r["reported_at"] > end + timedelta(hours=30) - timedelta(hours=1) for r in stored)


def test_live_is_idempotent_for_the_same_moment(service) -> None:
    flow = CaseFlow(7, 1, _reports, Shares())
    now = T0 + timedelta(hours=5)
    batches = flow.live(now)
    n1 = _send(service, batches)
    before = service.store.fetch(metadata.tables["case_transitions"].select())
    n2 = _send(service, batches)  # the same batches again: accepted, nothing new stored
    after = service.store.fetch(metadata.tables["case_transitions"].select())
    assert n1 == n2 and len(before) == len(after)
