"""The case workflow writers through the real IngestService on SQLite and PostgreSQL: reports
open cases at 上报, transitions move them, forbidden steps are refused naming the field and
never reach the history, and resends are idempotent."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from app import runtime_of
from data_sources.datasets import metadata
from data_sources.datasets.cases import case_transitions, cases
from data_sources.ingest import IngestResult, IngestService, Rejection, StoreUnavailable
from data_sources.memory import MemoryBackend
from data_sources.sql import SqlSource

T0 = datetime(2026, 5, 6, 8, 30)  # local wall time (Asia/Shanghai)
HANDLING_DEADLINE = T0 + timedelta(days=2)
EXTENDED_DEADLINE = T0 + timedelta(days=4)
DEPARTMENT = "东昌府区城管执法局"


def at(minutes: float) -> str:
    """T0 + minutes as the ISO text with offset a feed sends."""
    return (T0 + timedelta(minutes=minutes)).isoformat() + "+08:00"


def local(minutes: float) -> datetime:
    """T0 + minutes as the naive local time the store keeps."""
    return T0 + timedelta(minutes=minutes)


def report(case_id: str = "C1", **kw: Any) -> dict[str, Any]:
    """One 城管 event report (上报) in 东昌府区."""
    base = {
        "case_id": case_id,
        "source": "城管",
        "kind": "事件",
        "category": "市容环境",
        "subcategory": "暴露垃圾",
        "county": "371502",
        "lon": 115.98,
        "lat": 36.45,
        "reported_at": at(0),
    }
    return base | kw


def step(state: str, minutes: float, case_id: str = "C1", **kw: Any) -> dict[str, Any]:
    """One case_transitions record."""
    return {"case_id": case_id, "state": state, "ts": at(minutes), **kw}


def dispatch(minutes: float, case_id: str = "C1", **kw: Any) -> dict[str, Any]:
    """A complete 派遣: department and handling deadline (处置时限)."""
    return step(
        "派遣",
        minutes,
        case_id,
        department=DEPARTMENT,
        deadline=HANDLING_DEADLINE.isoformat(),
        **kw,
    )


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Iterator[SqlSource]:
    """The ingest store on a SQLite file and on the real PostgreSQL."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    source = SqlSource("citydb", url, timeout_s=2)
    source.create_tables(metadata)
    yield source
    source.close()


@pytest.fixture
def service(store: SqlSource) -> IngestService:
    return IngestService(store, MemoryBackend())


def case_row(store: SqlSource, case_id: str = "C1") -> dict[str, Any] | None:
    rows = store.fetch(sa.select(cases).where(cases.c.case_id == case_id))
    return rows[0] if rows else None


def history(store: SqlSource, case_id: str = "C1") -> list[dict[str, Any]]:
    table = case_transitions
    return store.fetch(sa.select(table).where(table.c.case_id == case_id).order_by(table.c.seq))


def states(store: SqlSource, case_id: str = "C1") -> list[str]:
    return [h["state"] for h in history(store, case_id)]


def ok(result: IngestResult, accepted: int) -> IngestResult:
    """Assert a batch was fully accepted."""
    assert (result.accepted, result.rejected) == (accepted, []), result
    return result


def open_case(service: IngestService, case_id: str = "C1", *, upto: str = "上报") -> None:
    """Report a case and walk it through the main line up to `upto` (at minutes 5, 10, 15...)."""
    ok(service.ingest("cases", [report(case_id)]), 1)
    line = [
        step("受理", 5, case_id),
        step("立案", 10, case_id),
        dispatch(15, case_id),
        step("处置", 20, case_id),
    ]
    names = ["上报", *(s["state"] for s in line)]
    todo = line[: names.index(upto)]
    if todo:
        ok(service.ingest("case_transitions", todo), len(todo))
    assert case_row(service.store, case_id)["state"] == upto


# --- reports -----------------------------------------------------------------------------


def test_a_report_opens_the_case_at_reported_with_one_history_row(
    service: IngestService, store: SqlSource
) -> None:
    grid_event = report(
        "G1",
        source="网格",
        category="环境卫生",
        grid_code="37150200100101",
        reported_at="2026-05-06T00:40:00Z",
    )
    result = ok(service.ingest("cases", [report("C1"), grid_event]), 2)
    assert result.published
    row = case_row(store)
    assert row is not None
    assert (row["state"], row["seq"], row["reported_at"], row["updated_at"]) == ("上报", 1, T0, T0)
    assert (row["rework_count"], row["extension_count"]) == (0, 0)
    milestones = (
        "department",
        "deadline",
        "accepted_at",
        "registered_at",
        "dispatched_at",
        "handled_at",
        "closed_at",
        "cancelled_at",
    )
    assert {k: row[k] for k in milestones} == dict.fromkeys(milestones)
    assert history(store) == [
        {"case_id": "C1", "seq": 1, "ts": T0, "from_state": None, "state": "上报",
         "department": None, "deadline": None, "note": None},
    ]  # fmt: skip
    grid = case_row(store, "G1")
    assert (grid["source"], grid["grid_code"], grid["state"]) == ("网格", "37150200100101", "上报")
    assert grid["reported_at"] == datetime(2026, 5, 6, 8, 40)  # UTC converted to local time
    assert states(store, "G1") == ["上报"]


def test_resending_a_known_report_keeps_its_workflow(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service, upto="派遣")
    before, steps_before = case_row(store), history(store)
    ok(service.ingest("cases", [report(subcategory="乱堆物堆料", reported_at=at(30))]), 1)
    after = case_row(store)
    assert after["subcategory"] == "乱堆物堆料"  # the description is refreshed
    kept = {k: v for k, v in before.items() if k != "subcategory"}
    assert {k: after[k] for k in kept} == kept  # state, seq, milestones, reported_at untouched
    assert after["state"] == "派遣"
    assert history(store) == steps_before


# --- transitions -------------------------------------------------------------------------


def test_transitions_move_the_case_and_keep_its_milestones(
    service: IngestService, store: SqlSource
) -> None:
    ok(service.ingest("cases", [report()]), 1)
    ok(service.ingest("case_transitions", [step("受理", 5), step("立案", 10)]), 2)
    row = case_row(store)
    assert (row["state"], row["seq"], row["updated_at"]) == ("立案", 3, local(10))
    assert (row["accepted_at"], row["registered_at"], row["dispatched_at"]) == (
        local(5),
        local(10),
        None,
    )

    ok(service.ingest("case_transitions", [dispatch(15, note="东关街北口")]), 1)
    row = case_row(store)
    assert (row["state"], row["department"], row["deadline"]) == (
        "派遣",
        DEPARTMENT,
        HANDLING_DEADLINE,
    )
    assert row["dispatched_at"] == local(15)

    rest = [
        step("处置", 30),
        step("反馈", 60),
        step("返工", 70, note="核查未通过：仍有垃圾"),
        step("处置", 80),
        step("延期", 90, deadline=EXTENDED_DEADLINE.isoformat()),
        step("反馈", 120),
        step("核查", 130),
        step("结案", 140),
        step("评价", 150),
    ]
    random.Random(7).shuffle(rest)  # the writer orders each case's steps by time
    ok(service.ingest("case_transitions", rest), len(rest))
    row = case_row(store)
    assert (row["state"], row["seq"], row["updated_at"]) == ("评价", 13, local(150))
    assert (row["accepted_at"], row["registered_at"], row["dispatched_at"]) == (
        local(5),
        local(10),
        local(15),
    )
    assert (row["handled_at"], row["closed_at"], row["cancelled_at"]) == (
        local(120),
        local(140),
        None,
    )
    assert (row["rework_count"], row["extension_count"]) == (1, 1)
    assert (row["deadline"], row["department"]) == (EXTENDED_DEADLINE, DEPARTMENT)

    steps = history(store)
    assert [h["state"] for h in steps] == [
        "上报", "受理", "立案", "派遣", "处置", "反馈", "返工",
        "处置", "延期", "反馈", "核查", "结案", "评价",
    ]  # fmt: skip
    assert [h["seq"] for h in steps] == list(range(1, 14))
    assert [h["from_state"] for h in steps[1:]] == [h["state"] for h in steps[:-1]]
    assert [h["ts"] for h in steps] == [
        local(m) for m in (0, 5, 10, 15, 30, 60, 70, 80, 90, 120, 130, 140, 150)
    ]
    assert (steps[3]["department"], steps[3]["deadline"], steps[3]["note"]) == (
        DEPARTMENT,
        HANDLING_DEADLINE,
        "东关街北口",
    )
    assert steps[6]["note"] == "核查未通过：仍有垃圾"
    assert steps[8]["deadline"] == EXTENDED_DEADLINE


def test_cancelling_before_work_starts_records_when(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service, upto="受理")
    ok(service.ingest("case_transitions", [step("作废", 7, note="重复上报")]), 1)
    row = case_row(store)
    assert (row["state"], row["cancelled_at"], row["closed_at"]) == ("作废", local(7), None)
    refused = service.ingest("case_transitions", [step("立案", 8)])
    assert refused.accepted == 0
    assert [(r.field, r.value) for r in refused.rejected] == [("state", "立案")]
    assert "none (final state)" in refused.rejected[0].reason


def test_an_invalid_transition_is_refused_and_leaves_the_case_alone(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service, "C1", upto="派遣")
    open_case(service, "C2")
    before, steps_before = case_row(store, "C1"), history(store, "C1")

    result = service.ingest(
        "case_transitions",
        [step("受理", 20, "C2"), step("结案", 20, "C1"), step("立案", 25, "C2")],
    )
    assert result.accepted == 2
    (refusal,) = result.rejected
    assert (refusal.index, refusal.field, refusal.value) == (1, "state", "结案")
    assert "case C1 is in 派遣; cannot move to 结案" in refusal.reason
    assert "处置" in refusal.reason  # what is allowed instead
    assert case_row(store, "C1") == before
    assert history(store, "C1") == steps_before
    assert "结案" not in states(store, "C1")
    # The valid rows of the same batch went through.
    assert case_row(store, "C2")["state"] == "立案"
    assert states(store, "C2") == ["上报", "受理", "立案"]


def test_a_refused_step_does_not_block_a_valid_later_step_of_the_same_case(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service, upto="派遣")
    result = service.ingest("case_transitions", [step("结案", 20), step("处置", 25)])
    assert result.accepted == 1
    assert [(r.index, r.field, r.value) for r in result.rejected] == [(0, "state", "结案")]
    assert case_row(store)["state"] == "处置"
    assert states(store) == ["上报", "受理", "立案", "派遣", "处置"]


def test_a_batch_of_only_refused_steps_is_not_announced(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service, upto="派遣")
    heard: list[str] = []
    service.bus.subscribe("ingest.*", lambda channel, _msg: heard.append(channel))
    result = service.ingest("case_transitions", [step("结案", 20)])
    assert (result.accepted, result.published, heard) == (0, False, [])


def test_resending_a_stored_step_is_accepted_without_a_second_history_row(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service, upto="受理")
    ok(service.ingest("case_transitions", [step("受理", 5)]), 1)
    assert states(store) == ["上报", "受理"]
    assert case_row(store)["seq"] == 2

    ok(service.ingest("case_transitions", [step("立案", 10), step("立案", 10)]), 2)
    assert states(store) == ["上报", "受理", "立案"]
    # A feed replaying its whole log after the case moved on: every step is a resend.
    ok(service.ingest("case_transitions", [step("受理", 5), step("立案", 10), dispatch(15)]), 3)
    ok(service.ingest("case_transitions", [step("受理", 5), step("立案", 10), dispatch(15)]), 3)
    assert states(store) == ["上报", "受理", "立案", "派遣"]
    row = case_row(store)
    assert (row["state"], row["seq"], row["accepted_at"]) == ("派遣", 4, local(5))


def test_a_step_before_the_last_move_is_refused_on_ts(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service, upto="受理")
    result = service.ingest("case_transitions", [step("立案", 3)])
    assert result.accepted == 0
    (refusal,) = result.rejected
    assert (refusal.index, refusal.field, refusal.value) == (0, "ts", "2026-05-06 08:33:00")
    assert "case C1 last moved at 2026-05-06 08:35:00 (to 受理)" in refusal.reason
    assert case_row(store)["state"] == "受理"
    assert states(store) == ["上报", "受理"]

    open_case(service, "C2")
    early = service.ingest("case_transitions", [step("受理", -1, "C2")])  # before its 上报
    assert [(r.field, r.value) for r in early.rejected] == [("ts", "2026-05-06 08:29:00")]
    assert states(store, "C2") == ["上报"]


def test_a_step_of_an_unknown_case_is_refused_on_case_id(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service)
    result = service.ingest("case_transitions", [step("受理", 5, "NOPE"), step("受理", 5)])
    assert result.accepted == 1
    assert [(r.index, r.field, r.value) for r in result.rejected] == [(0, "case_id", "NOPE")]
    assert "unknown case NOPE" in result.rejected[0].reason
    assert case_row(store, "NOPE") is None
    assert history(store, "NOPE") == []


def test_dispatch_must_name_the_department_and_a_deadline(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service, upto="立案")
    result = service.ingest(
        "case_transitions",
        [
            step("派遣", 15, deadline=HANDLING_DEADLINE.isoformat()),
            step("派遣", 16, department=DEPARTMENT),
        ],
    )
    assert result.accepted == 0
    assert [(r.index, r.field, r.value) for r in result.rejected] == [
        (0, "department", None),
        (1, "deadline", None),
    ]
    assert "C1" in result.rejected[0].reason
    assert "处置时限" in result.rejected[1].reason
    assert case_row(store)["state"] == "立案"
    assert states(store) == ["上报", "受理", "立案"]


def test_extension_needs_a_later_deadline(service: IngestService, store: SqlSource) -> None:
    open_case(service, upto="处置")
    result = service.ingest(
        "case_transitions",
        [
            step("延期", 30),
            step("延期", 31, deadline=(HANDLING_DEADLINE - timedelta(hours=1)).isoformat()),
        ],
    )
    assert result.accepted == 0
    assert [(r.index, r.field, r.value) for r in result.rejected] == [
        (0, "deadline", None),
        (1, "deadline", "2026-05-08 07:30:00"),
    ]
    assert (
        "case C1 is in 处置; cannot move to 延期 (延期 needs a new deadline)"
        in result.rejected[0].reason
    )
    assert "not after 2026-05-08 08:30" in result.rejected[1].reason
    row = case_row(store)
    assert (row["state"], row["deadline"], row["extension_count"]) == ("处置", HANDLING_DEADLINE, 0)
    assert states(store) == ["上报", "受理", "立案", "派遣", "处置"]

    ok(
        service.ingest(
            "case_transitions", [step("延期", 32, deadline=EXTENDED_DEADLINE.isoformat())]
        ),
        1,
    )
    row = case_row(store)
    assert (row["state"], row["deadline"], row["extension_count"]) == ("延期", EXTENDED_DEADLINE, 1)


def test_a_forbidden_deadline_move_is_refused_on_state_not_deadline(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service, upto="立案")
    result = service.ingest("case_transitions", [step("缓办", 12)])
    assert [(r.field, r.value) for r in result.rejected] == [("state", "缓办")]
    assert "case C1 is in 立案; cannot move to 缓办" in result.rejected[0].reason


def test_schema_rejections_and_workflow_refusals_share_one_ordered_list(
    service: IngestService, store: SqlSource
) -> None:
    open_case(service, upto="受理")
    result = service.ingest(
        "case_transitions",
        [step("结案", 9), step("办结", 9), step("立案", 10), {"case_id": "C1", "ts": at(11)}],
    )
    assert result.accepted == 1
    assert [(r.index, r.field) for r in result.rejected] == [
        (0, "state"),
        (1, "state"),
        (3, "state"),
    ]
    assert result.rejected[0].value == "结案"
    assert result.rejected[1].value == "办结"  # not a workflow word at all
    assert result.rejected[2] == Rejection(3, "state", None, "is required")
    assert case_row(store)["state"] == "立案"


# --- a concurrent writer (SQLite: its reads take no lock, the seq check catches the race) ---


def test_a_case_moved_meanwhile_is_replanned_not_double_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    ours, theirs = SqlSource("citydb", url, timeout_s=2), SqlSource("citydb", url, timeout_s=2)
    try:
        ours.create_tables(metadata)
        service = IngestService(ours, MemoryBackend())
        open_case(service, upto="派遣")
        other = IngestService(theirs, MemoryBackend())
        raced: list[IngestResult] = []

        def racer(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            # Between our read and our update another feed sends the case back (回退).
            if statement.lstrip().upper().startswith("UPDATE CASES") and not raced:
                raced.append(other.ingest("case_transitions", [step("回退", 18)]))

        sa.event.listen(ours.engine, "before_cursor_execute", racer)
        result = service.ingest("case_transitions", [step("处置", 20)])
        sa.event.remove(ours.engine, "before_cursor_execute", racer)

        assert raced and ok(raced[0], 1)
        # Replanned against the stored 回退: our 处置 is now refused, nothing overwritten.
        assert result.accepted == 0
        assert [(r.field, r.value) for r in result.rejected] == [("state", "处置")]
        assert "case C1 is in 回退; cannot move to 处置" in result.rejected[0].reason
        row = case_row(ours)
        assert (row["state"], row["seq"]) == ("回退", 5)
        assert states(ours) == ["上报", "受理", "立案", "派遣", "回退"]
    finally:
        ours.close()
        theirs.close()


def test_a_case_that_keeps_changing_fails_the_batch_as_unavailable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    ours, theirs = SqlSource("citydb", url, timeout_s=2), SqlSource("citydb", url, timeout_s=2)
    try:
        ours.create_tables(metadata)
        service = IngestService(ours, MemoryBackend())
        open_case(service, upto="派遣")
        bumps: list[int] = []

        def racer(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            # Another writer touches the case before every one of our updates.
            if statement.lstrip().upper().startswith("UPDATE CASES"):
                with theirs.engine.begin() as conn:
                    conn.execute(sa.update(cases).values(seq=cases.c.seq + 1))
                bumps.append(1)

        sa.event.listen(ours.engine, "before_cursor_execute", racer)
        try:
            with pytest.raises(StoreUnavailable, match="case C1 kept changing under 3 attempts"):
                service.ingest("case_transitions", [step("处置", 20)])
        finally:
            sa.event.remove(ours.engine, "before_cursor_execute", racer)
        assert len(bumps) == 3
        assert case_row(ours)["state"] == "派遣"
        assert states(ours) == ["上报", "受理", "立案", "派遣"]
    finally:
        ours.close()
        theirs.close()


# --- over HTTP ---------------------------------------------------------------------------

KEY = "test-ingest-key-cases"


def post(client: Any, dataset: str, body: list[dict]) -> Any:
    return client.post(
        f"/api/v1/ingest/{dataset}",
        data=orjson.dumps(body),
        headers={"X-API-Key": KEY},
        content_type="application/json",
    )


def test_http_answers_422_then_200_naming_the_refused_field(
    app_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYOPS_INGEST_KEY", KEY)
    app = app_factory()
    client = app.server.test_client()
    assert post(client, "cases", [report()]).status_code == 200
    moved = post(client, "case_transitions", [step("受理", 5), step("立案", 10), dispatch(15)])
    assert (moved.status_code, moved.json["accepted"]) == (200, 3), moved.json

    refused = post(client, "case_transitions", [step("结案", 20)])
    assert refused.status_code == 422
    body = refused.json
    assert (body["dataset"], body["accepted"], body["published"]) == ("case_transitions", 0, False)
    assert body["rejected"] == [
        {
            "index": 0,
            "field": "state",
            "value": "结案",
            "reason": "case C1 is in 派遣; cannot move to 结案 (allowed from 派遣: 处置、回退)",
        }
    ]

    mixed = post(client, "case_transitions", [step("处置", 20), step("评价", 21)])
    assert mixed.status_code == 200
    assert mixed.json["accepted"] == 1
    assert [(r["index"], r["field"], r["value"]) for r in mixed.json["rejected"]] == [
        (1, "state", "评价")
    ]
    store = runtime_of(app).store
    assert case_row(store)["state"] == "处置"
    assert states(store) == ["上报", "受理", "立案", "派遣", "处置"]
