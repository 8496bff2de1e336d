"""The 数字城管 / 网格化治理 case workflow and the rates published city reports use.

The closed loop (standards.md §3.3, after CJ/T 315 and the Jiangsu and 扶沟县 rules) is
上报 → 受理 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案 (→ 评价), with the side branches
返工 (核查 failed), 作废, 回退, 延期 and 缓办. The rates (§3.4, reproduced to 0.01 % from the
Zhengzhou and Tianmen reports) divide closure, on-time closure, rework and extension by
应结案数 (cases due), never by 立案数.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum


class State(StrEnum):
    """A case's state; the value is the word operators and the feeds use."""

    REPORTED = "上报"
    ACCEPTED = "受理"
    REGISTERED = "立案"
    DISPATCHED = "派遣"
    PROCESSING = "处置"
    PROCESSED = "反馈"  # 处置反馈: the department reports the job done
    VERIFIED = "核查"  # 核查 passed
    CLOSED = "结案"
    EVALUATED = "评价"
    REWORK = "返工"  # 核查 failed: back to the department
    CANCELLED = "作废"
    RETURNED = "回退"  # the department sends a dispatch back to the centre
    EXTENDED = "延期"  # approved extension, with a new deadline
    SUSPENDED = "缓办"  # approved deferral; its deadline replaces the handling deadline


S = State
# from -> the states it may move to. Cancelling is possible until work starts (受理, 立案 and a
# sent-back dispatch), as the Jiangsu rules allow with approval.
TRANSITIONS: dict[State, tuple[State, ...]] = {
    S.REPORTED: (S.ACCEPTED, S.CANCELLED),
    S.ACCEPTED: (S.REGISTERED, S.CANCELLED),
    S.REGISTERED: (S.DISPATCHED, S.CANCELLED),
    S.DISPATCHED: (S.PROCESSING, S.RETURNED),
    S.RETURNED: (S.DISPATCHED, S.CANCELLED),
    S.PROCESSING: (S.PROCESSED, S.EXTENDED, S.SUSPENDED),
    S.EXTENDED: (S.PROCESSED, S.SUSPENDED),
    S.SUSPENDED: (S.PROCESSING,),
    S.PROCESSED: (S.VERIFIED, S.REWORK),
    S.REWORK: (S.PROCESSING,),
    S.VERIFIED: (S.CLOSED,),
    S.CLOSED: (S.EVALUATED,),
    S.EVALUATED: (),
    S.CANCELLED: (),
}
INITIAL = S.REPORTED
# Entering these needs a new handling deadline, which replaces the case's (延期 must move it
# later; 缓办 sets the deadline the deferred case is now due by).
NEEDS_DEADLINE = frozenset({S.EXTENDED, S.SUSPENDED})
FINISHED = frozenset({S.CLOSED, S.EVALUATED, S.CANCELLED})
# Open cases whose clock runs; 缓办 is paused, finished ones are done.
RUNNING = frozenset(set(State) - FINISHED - {S.SUSPENDED})


class InvalidTransition(ValueError):
    """A move the workflow does not allow; the message names the case, its state and the move."""

    def __init__(self, case_id: str, current: str | None, target: str, reason: str = "") -> None:
        self.case_id, self.current, self.target = case_id, current, target
        if not reason:
            allowed = "、".join(TRANSITIONS.get(current, ())) if current in TRANSITIONS else ""
            reason = f"allowed from {current}: {allowed or 'none (final state)'}"
        super().__init__(f"case {case_id} is in {current}; cannot move to {target} ({reason})")


def parse_state(value: str) -> State:
    """The State of a feed's word; ValueError names the value and the known states."""
    try:
        return State(value)
    except ValueError:
        raise ValueError(f"unknown state {value!r} (known: {'、'.join(State)})") from None


def check_transition(
    case_id: str,
    current: str,
    target: str,
    *,
    deadline: datetime | None = None,
    old_deadline: datetime | None = None,
) -> State:
    """Return the target State if `current → target` is allowed, else raise InvalidTransition."""
    cur, tgt = parse_state(current), parse_state(target)
    if tgt not in TRANSITIONS[cur]:
        raise InvalidTransition(case_id, cur, tgt)
    if tgt in NEEDS_DEADLINE:
        if deadline is None:
            raise InvalidTransition(case_id, cur, tgt, f"{tgt} needs a new deadline")
        if tgt is S.EXTENDED and old_deadline is not None and deadline <= old_deadline:
            raise InvalidTransition(
                case_id,
                cur,
                tgt,
                f"new deadline {deadline:%Y-%m-%d %H:%M} is not after {old_deadline:%Y-%m-%d %H:%M}",
            )
    return tgt


@dataclass(frozen=True)
class Step:
    """One stored transition."""

    at: datetime
    state: State
    deadline: datetime | None = None


def replay(case_id: str, steps: list[Step]) -> State:
    """Check a whole history from 上报 in order and return the final state."""
    if not steps or steps[0].state is not INITIAL:
        first = steps[0].state if steps else "nothing"
        raise InvalidTransition(case_id, None, str(first), f"a history starts with {INITIAL}")
    state, deadline = INITIAL, None
    for prev, step in zip(steps, steps[1:], strict=False):
        if step.at < prev.at:
            raise InvalidTransition(case_id, state, step.state, "steps are out of time order")
        state = check_transition(
            case_id, state, step.state, deadline=step.deadline, old_deadline=deadline
        )
        deadline = step.deadline or deadline
    return state


# --- rates -------------------------------------------------------------------------------

COUNT_KEYS = (
    "accepted",  # 受理数
    "registered",  # 立案数
    "dispatched",  # 派遣数
    "due",  # 应结案数
    "closed",  # 结案数
    "closed_ontime",  # 按期结案数
    "rework",  # 返工数
    "extended",  # 延期数
)
# rate -> (numerator, denominator)
RATES: dict[str, tuple[str, str]] = {
    "registration_rate": ("registered", "accepted"),  # 立案率
    "dispatch_rate": ("dispatched", "registered"),  # 派遣率
    "closure_rate": ("closed", "due"),  # 结案率
    "ontime_closure_rate": ("closed_ontime", "due"),  # 按期结案率
    "rework_rate": ("rework", "due"),  # 返工率
    "extension_rate": ("extended", "due"),  # 延期率
}
RATE_LABELS = {
    "registration_rate": "立案率",
    "dispatch_rate": "派遣率",
    "closure_rate": "结案率",
    "ontime_closure_rate": "按期结案率",
    "rework_rate": "返工率",
    "extension_rate": "延期率",
}
COUNT_LABELS = {
    "accepted": "受理数",
    "registered": "立案数",
    "dispatched": "派遣数",
    "due": "应结案数",
    "closed": "结案数",
    "closed_ontime": "按期结案数",
    "rework": "返工数",
    "extended": "延期数",
}
_CENT = Decimal("0.01")


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percentage rounded half-up to 0.01; None when undefined."""
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 60  # exact enough that quantize, not the division, does the rounding
        return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(_CENT, ROUND_HALF_UP)


def case_rates(counts: Mapping[str, int]) -> dict[str, Decimal | None]:
    """The six workflow rates from period counts; a missing count or zero denominator gives None."""
    for key, value in counts.items():
        if key not in COUNT_KEYS:
            raise ValueError(f"unknown count {key!r} (known: {', '.join(COUNT_KEYS)})")
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"count {key!r} must be an integer (got {value!r})")
        if value < 0:
            raise ValueError(f"count {key!r} must be >= 0 (got {value})")
    out: dict[str, Decimal | None] = {}
    for rate, (num, den) in RATES.items():
        if num not in counts or den not in counts:
            out[rate] = None
        else:
            out[rate] = percent(counts[num], counts[den])
    return out
