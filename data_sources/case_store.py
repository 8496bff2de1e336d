"""Writers of the case workflow: reports open a case at 上报, transitions move it.

Each batch runs in one transaction that reads the involved cases (locked on PostgreSQL), checks
every step against `indicators.cases.check_transition` and the stored state, then updates the
case row only if nobody moved it meanwhile (its `seq`), retrying the batch on such a race. A
refused step is reported with its index and field and never reaches `case_transitions`. A step
that is already stored (same case, time and state) counts as accepted: feeds resend.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from data_sources.datasets.base import Rejection
from data_sources.datasets.cases import case_transitions, cases
from data_sources.errors import SourceUnavailable, map_errors
from indicators.cases import (
    INITIAL,
    NEEDS_DEADLINE,
    TRANSITIONS,
    InvalidTransition,
    State,
    check_transition,
)

DESCRIPTIVE = ("source", "kind", "category", "subcategory", "part_id", "grid_code", "county", "lon", "lat")  # fmt: skip
MILESTONES = {
    State.ACCEPTED: "accepted_at",
    State.REGISTERED: "registered_at",
    State.DISPATCHED: "dispatched_at",
    State.CLOSED: "closed_at",
    State.CANCELLED: "cancelled_at",
}
RETRIES = 3
IN_IDS = sa.bindparam("ids", expanding=True)


class _Raced(SourceUnavailable):
    """Another writer moved a case between our read and our update."""

    def __init__(self, source: str, case_id: str, message: str = "") -> None:
        super().__init__(source, message or f"case {case_id} was moved by another writer")
        self.case_id = case_id


def _ts(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds")


def _jsonable_time(value: datetime | None) -> str | None:
    return None if value is None else _ts(value)


def _new_case(row: dict[str, Any]) -> dict[str, Any]:
    at = row["reported_at"]
    return {
        **row,
        "state": INITIAL.value,
        "seq": 1,
        "updated_at": at,
        "department": None,
        "deadline": None,
        "accepted_at": None,
        "registered_at": None,
        "dispatched_at": None,
        "handled_at": None,
        "closed_at": None,
        "cancelled_at": None,
        "rework_count": 0,
        "extension_count": 0,
    }


def write_reports(store: Any, rows: Sequence[tuple[int, dict]]) -> tuple[int, list[Rejection]]:
    """Open new cases at 上报 (with their first history step); refresh the description of known
    ones without touching their workflow."""
    latest = {row["case_id"]: row for _, row in rows}  # the last duplicate in a batch wins
    with map_errors(store.name), store.engine.begin() as conn:
        known = {
            r.case_id
            for r in conn.execute(
                sa.select(cases.c.case_id).where(cases.c.case_id.in_(IN_IDS)), {"ids": list(latest)}
            )  # fmt: skip
        }
        fresh = [_new_case(r) for cid, r in latest.items() if cid not in known]
        if fresh:
            conn.execute(sa.insert(cases), fresh)
            conn.execute(
                sa.insert(case_transitions),
                [{"case_id": c["case_id"], "seq": 1, "ts": c["reported_at"], "from_state": None,
                  "state": INITIAL.value, "department": None, "deadline": None, "note": None}
                 for c in fresh],
            )  # fmt: skip
        update = (
            sa.update(cases)
            .where(cases.c.case_id == sa.bindparam("b_case_id"))
            .values({k: sa.bindparam(f"b_{k}") for k in DESCRIPTIVE})
        )
        again = [{f"b_{k}": r[k] for k in ("case_id", *DESCRIPTIVE)} for cid, r in latest.items() if cid in known]  # fmt: skip
        if again:
            conn.execute(update, again)
    return len(rows), []


def _apply(case: dict[str, Any], step: dict[str, Any], target: State) -> dict[str, Any]:
    """The case row after entering `target` at the step's time."""
    at = step["ts"]
    out = {**case, "state": target.value, "seq": case["seq"] + 1, "updated_at": at}
    column = MILESTONES.get(target)
    if column and out[column] is None:
        out[column] = at
    if target is State.DISPATCHED:
        out["department"] = step["department"]
    if step.get("deadline") is not None:
        out["deadline"] = step["deadline"]
    if target is State.PROCESSED:
        out["handled_at"] = at
    if target is State.REWORK:
        out["rework_count"] += 1
    if target is State.EXTENDED:
        out["extension_count"] += 1
    return out


def _refusal(index: int, case: dict | None, step: dict[str, Any]) -> Rejection | None:
    """Why this step cannot be applied to the case as it stands, or None."""
    cid, target = step["case_id"], step["state"]
    if case is None:
        return Rejection(index, "case_id", cid, f"unknown case {cid}: report it through cases first")  # fmt: skip
    if step["ts"] < case["updated_at"]:
        return Rejection(
            index, "ts", _ts(step["ts"]),
            f"case {cid} last moved at {_ts(case['updated_at'])} (to {case['state']}); steps must not go back in time",
        )  # fmt: skip
    try:
        check_transition(cid, case["state"], target, deadline=step.get("deadline"), old_deadline=case["deadline"])  # fmt: skip
    except InvalidTransition as exc:
        allowed = State(target) in TRANSITIONS[State(case["state"])]
        if allowed and State(target) in NEEDS_DEADLINE:  # the move is fine, its deadline is not
            return Rejection(index, "deadline", _jsonable_time(step.get("deadline")), str(exc))
        return Rejection(index, "state", target, str(exc))
    if target == State.DISPATCHED:
        if not step.get("department"):
            return Rejection(index, "department", None, f"派遣 of case {cid} must name the department")  # fmt: skip
        if step.get("deadline") is None and case["deadline"] is None:
            return Rejection(index, "deadline", None, f"派遣 of case {cid} must set the handling deadline (处置时限)")  # fmt: skip
    return None


def _plan(
    conn: Any, store: Any, rows: Sequence[tuple[int, dict]]
) -> tuple[int, list[Rejection], dict[str, dict], dict[str, int], list[dict]]:
    ids = sorted({row["case_id"] for _, row in rows})
    read = sa.select(cases).where(cases.c.case_id.in_(IN_IDS))
    if store.dialect == "postgresql":
        read = read.order_by(cases.c.case_id).with_for_update()
    current = {r["case_id"]: dict(r) for r in conn.execute(read, {"ids": ids}).mappings()}
    since = min(row["ts"] for _, row in rows)
    stored = {
        (r.case_id, r.ts, r.state)
        for r in conn.execute(
            sa.select(case_transitions.c.case_id, case_transitions.c.ts, case_transitions.c.state)
            .where(case_transitions.c.case_id.in_(IN_IDS), case_transitions.c.ts >= sa.bindparam("since")),
            {"ids": ids, "since": since},
        )
    }  # fmt: skip
    accepted, refused, history = 0, [], []
    seq_before = {cid: c["seq"] for cid, c in current.items()}
    by_case: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for index, row in rows:
        by_case[row["case_id"]].append((index, row))
    for cid, steps in by_case.items():
        steps.sort(key=lambda s: (s[1]["ts"], s[0]))
        for index, step in steps:
            key = (cid, step["ts"], step["state"])
            if key in stored:
                accepted += 1  # already in the history: a resend
                continue
            problem = _refusal(index, current.get(cid), step)
            if problem is not None:
                refused.append(problem)
                continue
            case = current[cid]
            new = _apply(case, step, State(step["state"]))
            history.append({
                "case_id": cid, "seq": new["seq"], "ts": step["ts"], "from_state": case["state"],
                "state": step["state"], "department": step.get("department"),
                "deadline": step.get("deadline"), "note": step.get("note"),
            })  # fmt: skip
            current[cid] = new
            stored.add(key)
            accepted += 1
    return accepted, refused, current, seq_before, history


CASE_UPDATE = (
    sa.update(cases)
    .where(cases.c.case_id == sa.bindparam("b_case_id"), cases.c.seq == sa.bindparam("b_old_seq"))
    .values({
        c.name: sa.bindparam(f"b_{c.name}")
        for c in cases.columns
        if c.name not in ("case_id", *DESCRIPTIVE, "reported_at")
    })
)  # fmt: skip


def write_transitions(store: Any, rows: Sequence[tuple[int, dict]]) -> tuple[int, list[Rejection]]:
    """Apply workflow steps in time order per case; refuse the ones the workflow forbids."""
    last: _Raced | None = None
    for _attempt in range(RETRIES):
        try:
            with map_errors(store.name), store.engine.begin() as conn:
                accepted, refused, current, seq_before, history = _plan(conn, store, rows)
                moved = {h["case_id"] for h in history}
                for cid in sorted(moved):
                    case = current[cid]
                    params = {f"b_{k}": v for k, v in case.items() if k not in DESCRIPTIVE and k != "reported_at"}  # fmt: skip
                    params["b_old_seq"] = seq_before[cid]
                    if conn.execute(CASE_UPDATE, params).rowcount != 1:
                        raise _Raced(store.name, cid)
                if history:
                    conn.execute(sa.insert(case_transitions), history)
            return accepted, refused
        except _Raced as exc:
            last = exc
    case_id = last.case_id if last is not None else "?"
    raise _Raced(
        store.name,
        case_id,
        f"case {case_id} kept changing under {RETRIES} attempts; retry the batch",
    )
