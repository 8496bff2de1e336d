"""The case workflow (CJ/T 315 closed loop) over every pair of states, history replay, and the
workflow rates reproducing the Zhengzhou and Tianmen reports to 0.01 %."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from indicators.cases import (
    COUNT_KEYS,
    FINISHED,
    INITIAL,
    NEEDS_DEADLINE,
    RATES,
    TRANSITIONS,
    InvalidTransition,
    State,
    Step,
    case_rates,
    check_transition,
    replay,
)

S = State
# The allowed moves written out independently of the module: the closed loop 上报 → 受理 → 立案
# → 派遣 → 处置 → 反馈 → 核查 → 结案 → 评价, and the branches 返工, 作废, 回退, 延期 and 缓办.
EXPECTED_MOVES = {
    ("上报", "受理"), ("上报", "作废"),
    ("受理", "立案"), ("受理", "作废"),
    ("立案", "派遣"), ("立案", "作废"),
    ("派遣", "处置"), ("派遣", "回退"),
    ("回退", "派遣"), ("回退", "作废"),
    ("处置", "反馈"), ("处置", "延期"), ("处置", "缓办"),
    ("延期", "反馈"), ("延期", "缓办"),
    ("缓办", "处置"),
    ("反馈", "核查"), ("反馈", "返工"),
    ("返工", "处置"),
    ("核查", "结案"),
    ("结案", "评价"),
}  # fmt: skip
OLD_DEADLINE = datetime(2026, 5, 8, 18, 0)
NEW_DEADLINE = datetime(2026, 5, 10, 18, 0)
ALL_PAIRS = list(itertools.product(State, State))


def rates(**counts: int) -> dict[str, Decimal | None]:
    return case_rates(counts)


# --- rates -------------------------------------------------------------------------------


def test_zhengzhou_weekly_report_2019_04_08_to_14() -> None:
    got = rates(accepted=51571, registered=51229, due=52434, closed=43523)
    assert got["registration_rate"] == Decimal("99.34")  # 立案率 51229 / 51571
    assert got["closure_rate"] == Decimal("83.01")  # 结案率 43523 / 52434
    assert (got["dispatch_rate"], got["ontime_closure_rate"]) == (None, None)
    assert (got["rework_rate"], got["extension_rate"]) == (None, None)


def test_tianmen_december_2016() -> None:
    got = rates(due=972, closed=911, closed_ontime=737)
    assert got["closure_rate"] == Decimal("93.72")  # 911 / 972
    assert got["ontime_closure_rate"] == Decimal("75.82")  # 737 / 972
    assert got["registration_rate"] is None


def test_all_six_rates_and_their_keys() -> None:
    got = rates(
        accepted=1250,
        registered=1000,
        dispatched=990,
        due=800,
        closed=600,
        closed_ontime=500,
        rework=40,
        extended=20,
    )
    assert got == {
        "registration_rate": Decimal("80.00"),
        "dispatch_rate": Decimal("99.00"),
        "closure_rate": Decimal("75.00"),
        "ontime_closure_rate": Decimal("62.50"),
        "rework_rate": Decimal("5.00"),
        "extension_rate": Decimal("2.50"),
    }
    assert set(RATES) == set(got)


@pytest.mark.parametrize(
    ("rate", "numerator"),
    [
        ("closure_rate", "closed"),
        ("ontime_closure_rate", "closed_ontime"),
        ("rework_rate", "rework"),
        ("extension_rate", "extended"),
    ],
)
def test_closure_family_divides_by_due_never_by_registered(rate: str, numerator: str) -> None:
    # 300 of 600 due is 50 %; of the 1000 registered it would be 30 %.
    got = case_rates({"registered": 1000, "due": 600, numerator: 300})
    assert got[rate] == Decimal("50.00")
    # Without `due` the rate is unknown, even though `registered` is there.
    assert case_rates({"registered": 1000, numerator: 300})[rate] is None


@pytest.mark.parametrize(
    ("numerator", "denominator", "text"),
    [
        (1, 8, "12.50"),  # exactly 12.5: two decimals kept
        (1, 800, "0.13"),  # exactly 0.125: half-up (half-even would give 0.12)
        (107, 4000, "2.68"),  # exactly 2.675: float rounding would give 2.67
        (1, 20000, "0.01"),  # exactly 0.005
        (1, 20001, "0.00"),  # just under 0.005
        (2, 3, "66.67"),
        (1, 3, "33.33"),
        (7, 7, "100.00"),
        (0, 5, "0.00"),
    ],
)
def test_rounding_is_half_up_to_a_hundredth(numerator: int, denominator: int, text: str) -> None:
    value = rates(due=denominator, closed=numerator)["closure_rate"]
    assert isinstance(value, Decimal)
    assert str(value) == text


def test_zero_denominator_gives_none() -> None:
    got = rates(accepted=0, registered=0, dispatched=0, due=0, closed=0, closed_ontime=0)
    assert all(v is None for v in got.values()), got
    assert rates(accepted=0, registered=5)["registration_rate"] is None


def test_missing_counts_give_none_only_for_the_rates_needing_them() -> None:
    assert all(v is None for v in case_rates({}).values())
    got = rates(accepted=200, registered=150)
    assert got["registration_rate"] == Decimal("75.00")
    assert {k for k, v in got.items() if v is None} == set(RATES) - {"registration_rate"}
    assert rates(closed=5)["closure_rate"] is None  # no `due`
    assert rates(due=5)["closure_rate"] is None  # no `closed`


def test_unknown_count_raises_naming_it() -> None:
    with pytest.raises(ValueError, match="'closd'"):
        case_rates({"due": 10, "closd": 5})


@pytest.mark.parametrize("key", COUNT_KEYS)
def test_negative_count_raises_naming_it(key: str) -> None:
    with pytest.raises(ValueError, match=f"'{key}'.*>= 0"):
        case_rates({key: -1})


@pytest.mark.parametrize("value", [True, False, 10.0, 0.5, Decimal("10"), "10", None])
def test_non_integer_counts_are_rejected(value: object) -> None:
    with pytest.raises(ValueError, match="'due'.*integer"):
        case_rates({"due": value, "closed": 1})  # type: ignore[dict-item]


# --- state machine -----------------------------------------------------------------------


def test_transition_table_is_the_standard_workflow() -> None:
    assert set(TRANSITIONS) == set(State), "every state has an entry"
    moves = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert moves == EXPECTED_MOVES
    assert INITIAL is S.REPORTED
    assert {s for s, targets in TRANSITIONS.items() if not targets} == {S.EVALUATED, S.CANCELLED}
    assert {S.CLOSED, S.EVALUATED, S.CANCELLED} == FINISHED
    assert {S.EXTENDED, S.SUSPENDED} == NEEDS_DEADLINE


def test_every_open_state_can_still_finish() -> None:
    def reachable(start: State) -> set[State]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in TRANSITIONS[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    for state in State:
        assert reachable(state) & FINISHED, state
        if state not in FINISHED:
            assert S.CLOSED in reachable(state) or S.CANCELLED in reachable(state)


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_every_pair_of_states(current: State, target: State) -> None:
    deadlines = {"deadline": NEW_DEADLINE, "old_deadline": OLD_DEADLINE}
    if (current.value, target.value) in EXPECTED_MOVES:
        assert check_transition("CG20260506001", current, target, **deadlines) is target
        # The feeds send the words as plain strings.
        assert check_transition("CG20260506001", str(current), str(target), **deadlines) is target
        return
    with pytest.raises(InvalidTransition) as caught:
        check_transition("CG20260506001", str(current), str(target), **deadlines)
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.case_id, error.current, error.target) == ("CG20260506001", current, target)
    message = str(error)
    assert f"case CG20260506001 is in {current.value}; cannot move to {target.value}" in message
    for allowed in TRANSITIONS[current]:
        assert allowed.value in message  # the message lists what is allowed instead
    if not TRANSITIONS[current]:
        assert "final state" in message


def test_unknown_state_word_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match="'完成'") as caught:
        check_transition("C1", "核查", "完成")
    assert not isinstance(caught.value, InvalidTransition)
    with pytest.raises(ValueError, match="'办结'"):
        check_transition("C1", "办结", "评价")


@pytest.mark.parametrize("target", [S.EXTENDED, S.SUSPENDED])
def test_extension_and_deferral_need_a_deadline(target: State) -> None:
    with pytest.raises(
        InvalidTransition, match=f"C7 is in 处置; cannot move to {target.value}.*deadline"
    ):
        check_transition("C7", S.PROCESSING, target, old_deadline=OLD_DEADLINE)
    assert check_transition("C7", S.PROCESSING, target, deadline=NEW_DEADLINE) is target


def test_extension_deadline_must_be_after_the_old_one() -> None:
    for bad in (OLD_DEADLINE, OLD_DEADLINE - timedelta(days=1)):
        with pytest.raises(InvalidTransition, match="C7.*not after 2026-05-08 18:00") as caught:
            check_transition("C7", "处置", "延期", deadline=bad, old_deadline=OLD_DEADLINE)
        assert caught.value.target is S.EXTENDED
    later = OLD_DEADLINE + timedelta(minutes=1)
    assert (
        check_transition("C7", "处置", "延期", deadline=later, old_deadline=OLD_DEADLINE)
        is S.EXTENDED
    )
    # No handling deadline yet: any new one extends.
    assert check_transition("C7", "处置", "延期", deadline=OLD_DEADLINE) is S.EXTENDED
    # 缓办 sets a resume-by date, which may well be before the handling deadline.
    early = OLD_DEADLINE - timedelta(days=1)
    assert (
        check_transition("C7", "处置", "缓办", deadline=early, old_deadline=OLD_DEADLINE)
        is S.SUSPENDED
    )


def full_history() -> list[Step]:
    """A realistic 城管 case: one failed 核查 (返工) and one approved 延期."""
    t0 = datetime(2026, 5, 6, 8, 30)
    plan: list[tuple[int, State, datetime | None]] = [
        (0, S.REPORTED, None),
        (4, S.ACCEPTED, None),
        (9, S.REGISTERED, None),
        (15, S.DISPATCHED, OLD_DEADLINE),
        (50, S.PROCESSING, None),
        (180, S.PROCESSED, None),
        (240, S.REWORK, None),
        (300, S.PROCESSING, None),
        (1440, S.EXTENDED, NEW_DEADLINE),
        (2000, S.PROCESSED, None),
        (2030, S.VERIFIED, None),
        (2040, S.CLOSED, None),
        (3000, S.EVALUATED, None),
    ]
    return [Step(t0 + timedelta(minutes=m), state, deadline) for m, state, deadline in plan]


def test_replay_of_a_full_history_ends_evaluated() -> None:
    steps = full_history()
    assert [s.state.value for s in steps] == [
        "上报", "受理", "立案", "派遣", "处置", "反馈", "返工",
        "处置", "延期", "反馈", "核查", "结案", "评价",
    ]  # fmt: skip
    assert replay("C1", steps) is S.EVALUATED
    for k in range(1, len(steps) + 1):
        assert replay("C1", steps[:k]) is steps[k - 1].state


def test_replay_rejects_steps_out_of_time_order() -> None:
    steps = full_history()
    steps[5] = Step(steps[4].at - timedelta(minutes=1), steps[5].state)
    with pytest.raises(InvalidTransition, match="C1 is in 处置; cannot move to 反馈.*time order"):
        replay("C1", steps)


def test_replay_rejects_a_history_not_starting_with_the_report() -> None:
    with pytest.raises(InvalidTransition, match="C1.*受理.*starts with 上报"):
        replay("C1", full_history()[1:])
    with pytest.raises(InvalidTransition, match="C1.*starts with 上报"):
        replay("C1", [])


def test_replay_rejects_a_forbidden_move_inside_the_history() -> None:
    steps = full_history()
    del steps[10]  # 反馈 → 结案 without 核查
    with pytest.raises(InvalidTransition, match="C1 is in 反馈; cannot move to 结案"):
        replay("C1", steps)


def test_replay_checks_the_extension_against_the_dispatch_deadline() -> None:
    steps = full_history()
    steps[8] = Step(steps[8].at, S.EXTENDED, OLD_DEADLINE - timedelta(hours=1))
    with pytest.raises(InvalidTransition, match="C1 is in 处置; cannot move to 延期.*not after"):
        replay("C1", steps)
    steps[8] = Step(steps[8].at, S.EXTENDED, None)
    with pytest.raises(InvalidTransition, match="needs a new deadline"):
        replay("C1", steps)


def test_the_documented_transition_table_matches_the_machine() -> None:
    from pathlib import Path

    from indicators.cases import TRANSITIONS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "cases.md").read_text(encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] in {s.value for s in TRANSITIONS}:
            rows[cells[0]] = set() if cells[1].startswith("—") else set(cells[1].split("、"))
    assert rows == {k.value: {v.value for v in vs} for k, vs in TRANSITIONS.items()}
