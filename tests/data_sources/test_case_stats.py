"""The SQL case aggregates on SQLite and PostgreSQL: every count follows the documented period
rules (应结案数 by deadline, plus early closures when configured), departments sum to the month,
overdue excludes 缓办 and finished cases. Cases are built through the real ingest writer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from data_sources.case_stats import case_summary, combine, period_bounds
from data_sources.datasets import metadata
from data_sources.ingest import IngestService
from data_sources.memory import MemoryBackend
from data_sources.sql import SqlSource
from indicators.cases import case_rates

NOW = datetime(2026, 11, 18, 15, 0)  # a Wednesday: week from Mon 16th, month from the 1st
DAY = timedelta(days=1)
MONTH_A, WEEK_A, TODAY_A = datetime(2026, 11, 1), datetime(2026, 11, 16), datetime(2026, 11, 18)


@pytest.fixture(params=["sqlite", "postgres"])
def service(request: pytest.FixtureRequest) -> Iterator[IngestService]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    store = SqlSource("citydb", url, timeout_s=2)
    store.create_tables(metadata)
    yield IngestService(store, MemoryBackend())
    store.close()


def _iso(t: datetime) -> str:
    return t.isoformat() + "+08:00"


def make_case(
    svc: IngestService,
    cid: str,
    reported: datetime,
    *,
    upto: str,
    deadline: datetime | None = None,
    department: str = "环卫处",
    closed: datetime | None = None,
    rework: bool = False,
    extend_to: datetime | None = None,
    source: str = "城管",
) -> None:
    """Report a case and walk it (an hour per step unless `closed` sets the 结案 time)."""
    report = {
        "case_id": cid, "source": source, "kind": "事件",
        "category": "市容环境" if source == "城管" else "环境卫生", "subcategory": "暴露垃圾",
        "county": "371502", "lon": 115.98, "lat": 36.45, "reported_at": _iso(reported),
        **({"grid_code": "37150200100101"} if source == "网格" else {}),
    }  # fmt: skip
    assert svc.ingest("cases", [report]).accepted == 1
    t = reported
    line: list[dict[str, Any]] = []

    def go(state: str, **kw: Any) -> None:
        nonlocal t
        t = t + timedelta(minutes=10)
        line.append({"case_id": cid, "state": state, "ts": _iso(t), **kw})

    plan = ["受理", "立案", "派遣", "处置", "反馈", "核查", "结案"]
    if upto == "作废":
        go("受理")
        go("作废")
    for state in plan[: plan.index(upto) + 1] if upto in plan else ():
        if state == "派遣":
            go("派遣", department=department, deadline=_iso(deadline or reported + DAY))
        elif state == "反馈" and extend_to is not None:
            go("延期", deadline=_iso(extend_to))
            go("反馈")
        elif state == "核查" and rework:
            go("返工")
            go("处置")
            go("反馈")
            go("核查")
        elif state == "结案" and closed is not None:
            t = closed - timedelta(minutes=10)
            go("结案")
        else:
            go(state)
    if line:
        result = svc.ingest("case_transitions", line)
        assert result.rejected == [] and result.accepted == len(line), result


def test_period_bounds_run_from_each_start_to_now() -> None:
    assert period_bounds(NOW) == {
        "today": (TODAY_A, NOW),
        "week": (WEEK_A, NOW),
        "month": (MONTH_A, NOW),
    }


def test_counts_follow_the_period_rules(service: IngestService) -> None:
    # A: reported 3 Nov, due 4 Nov, closed on time: month only.
    make_case(service, "A", datetime(2026, 11, 3, 9), upto="结案", deadline=datetime(2026, 11, 4, 9))  # fmt: skip
    # B: reported Tue 17th, due today 10:00, closed late today 12:00: week + today(due).
    make_case(service, "B", datetime(2026, 11, 17, 9), upto="结案", deadline=datetime(2026, 11, 18, 10), closed=datetime(2026, 11, 18, 12))  # fmt: skip
    # C: reported today, due in 3 days, already closed today: early closure (提前结案).
    make_case(service, "C", datetime(2026, 11, 18, 8), upto="结案", deadline=NOW + 3 * DAY, rework=True)  # fmt: skip
    # D: reported 10 Nov, due 12 Nov, still 处置: due in month, not closed, overdue.
    make_case(service, "D", datetime(2026, 11, 10, 9), upto="处置", deadline=datetime(2026, 11, 12, 9), department="住建局")  # fmt: skip
    # E: cancelled today: counted as accepted, never due.
    make_case(service, "E", datetime(2026, 11, 18, 9), upto="作废")
    # F: extended, due Mon 16th after the extension, closed on time on the 16th.
    make_case(service, "F", datetime(2026, 11, 14, 9), upto="结案", deadline=datetime(2026, 11, 15, 9), extend_to=datetime(2026, 11, 16, 20))  # fmt: skip
    # G: a 网格 event: never in the 城管 numbers.
    make_case(service, "G", datetime(2026, 11, 18, 9), upto="结案", source="网格")

    s = case_summary(service.store, "城管", NOW)
    today, week, month = (combine(s["periods"][p], early=True) for p in ("today", "week", "month"))
    assert (today["accepted"], today["registered"], today["dispatched"]) == (2, 1, 1)  # C, E / C
    assert (week["accepted"], month["accepted"]) == (3, 6)
    assert (today["due"], today["closed"], today["closed_ontime"]) == (2, 2, 1)  # B late, C early
    assert (today["rework"], today["extended"]) == (1, 0)  # C
    assert (week["due"], week["closed_ontime"], week["extended"]) == (3, 2, 1)  # B, C, F
    assert (month["due"], month["closed"], month["closed_ontime"]) == (5, 4, 3)  # A B C D F
    rates = case_rates({k: month[k] for k in ("accepted", "registered", "dispatched", "due", "closed", "closed_ontime", "rework", "extended")})  # fmt: skip
    assert rates["closure_rate"] == Decimal("80.00")  # 4 / 5 due, not 4 / 5 registered by chance:
    assert rates["registration_rate"] == Decimal("83.33")  # 5 registered of 6 accepted
    assert rates["ontime_closure_rate"] == Decimal("60.00")

    # Without early closures, C leaves 应结案数.
    strict = {p: combine(raw, early=False) for p, raw in s["periods"].items()}
    assert (strict["today"]["due"], strict["month"]["due"]) == (1, 4)
    assert (strict["today"]["closed"], strict["today"]["rework"]) == (1, 0)

    # Departments sum to the month; overdue names only D's department.
    depts = {d["department"]: combine(d, early=True) for d in s["departments"]}
    assert set(depts) == {"环卫处", "住建局"}
    assert sum(d["due"] for d in depts.values()) == month["due"]
    assert depts["住建局"]["due"] == 1 and depts["住建局"]["closed"] == 0
    assert s["overdue"] == [{"department": "住建局", "n": 1}]


def test_mean_handling_time_is_dispatch_to_last_feedback(service: IngestService) -> None:
    # Steps are 10 minutes apart: 派遣 at +30, 反馈 at +50 → 20 minutes.
    make_case(service, "H1", datetime(2026, 11, 18, 8), upto="反馈", deadline=NOW + DAY)
    # With a rework (反馈 +50, 返工 +60, 处置 +70): 派遣 +30, last 反馈 +80 → 50 minutes.
    make_case(service, "H2", datetime(2026, 11, 18, 9), upto="核查", deadline=NOW + DAY, rework=True)  # fmt: skip
    today = combine(case_summary(service.store, "城管", NOW)["periods"]["today"], early=True)
    assert today["handled"] == 2
    assert today["handling_s"] == pytest.approx((20 + 50) / 2 * 60, abs=1)


def test_overdue_skips_deferred_and_finished_cases(service: IngestService) -> None:
    make_case(service, "O1", datetime(2026, 11, 10, 9), upto="处置", deadline=datetime(2026, 11, 11, 9))  # fmt: skip
    make_case(service, "O2", datetime(2026, 11, 10, 9), upto="结案", deadline=datetime(2026, 11, 11, 9), closed=datetime(2026, 11, 12, 9))  # fmt: skip
    make_case(service, "O3", datetime(2026, 11, 10, 9), upto="处置", deadline=datetime(2026, 11, 11, 9))  # fmt: skip
    result = service.ingest(
        "case_transitions",
        [
            {
                "case_id": "O3",
                "state": "缓办",
                "ts": _iso(datetime(2026, 11, 10, 12)),
                "deadline": _iso(datetime(2026, 11, 12, 9)),
            }
        ],  # fmt: skip
    )
    assert result.rejected == []
    s = case_summary(service.store, "城管", NOW)
    assert s["overdue"] == [{"department": "环卫处", "n": 1}]  # O1 only


def test_an_empty_store_gives_zero_counts_and_no_mean(service: IngestService) -> None:
    s = case_summary(service.store, "城管", NOW)
    month = combine(s["periods"]["month"], early=True)
    assert month["due"] == 0 and month["handling_s"] is None
    assert s["departments"] == [] and s["overdue"] == []
    assert case_rates({"due": 0, "closed": 0})["closure_rate"] is None
