"""Pure parsing of the 城市管理 products into one state the panels and the summary share.

Choices (documented in docs/city_management.md):
- Rates come from `indicators.cases.case_rates` on the SQL counts of the 应结案 rule chosen by
  `due_includes_early`; a rate whose denominator is 0 is None and shows as "—".
- Part classes are decoded from `part_id[6:8]` with `Options.class_of`; codes not in the
  options are summed up as 未知.
- Open cases are grouped into workflow stages (STAGES); a state not listed goes to 其他.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from data_sources.case_stats import combine
from indicators.cases import COUNT_KEYS, case_rates
from scenes.city_management.options import Options

UNKNOWN = "未知"
PART_STATUSES = ("完好", "损坏", "丢失", "占用")
PERIOD_NAMES = {"today": "今日", "week": "本周", "month": "本月"}
# Open cases by the step they wait for, in workflow order (state words from indicators.cases).
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("待受理", ("上报",)),
    ("待立案", ("受理",)),
    ("待派遣", ("立案", "回退")),
    ("待处置", ("派遣",)),
    ("处置中", ("处置", "返工")),
    ("延期缓办", ("延期", "缓办")),
    ("待核查", ("反馈",)),
    ("待结案", ("核查",)),
)
OTHER_STAGE = "其他"


def to_dt(value: Any) -> datetime | None:
    """Accept the ISO strings the hub's JSON round trip produces, datetimes, or None."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class PartRow:
    """One major class of the inventory: counts per status."""

    name: str
    code: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def intact_rate(self) -> float | None:
        return 100.0 * self.counts.get("完好", 0) / self.total if self.total else None


@dataclass(frozen=True)
class Period:
    """One period's workflow counts, rates and mean handling time."""

    counts: Mapping[str, int]
    rates: Mapping[str, Decimal | None]
    handling_h: float | None
    handled: int


@dataclass(frozen=True)
class Department:
    """A department's month: 应结案, 按期结案 and the on-time rate."""

    name: str
    due: int
    closed_ontime: int
    rate: Decimal | None
    handling_h: float | None
    overdue: int = 0


@dataclass(frozen=True)
class Emergency:
    """An overdue 突发事件 case."""

    case_id: str
    subcategory: str
    county: str
    department: str
    deadline: datetime


@dataclass(frozen=True)
class CaseState:
    """Everything the case panels, the map and the summary need, computed once."""

    now: datetime
    periods: Mapping[str, Period]
    overdue: tuple[tuple[str, int], ...]  # (department, open overdue cases), most first
    departments: tuple[Department, ...]  # ranked: on-time rate high to low
    categories: Mapping[str, tuple[tuple[str, int, int], ...]]  # kind -> (class, month, open)
    stages: tuple[tuple[str, int], ...]
    counties: Mapping[str, tuple[int, int]]  # county -> (open, overdue)
    emergencies: tuple[Emergency, ...] = ()
    emergency_total: int = 0
    grid: tuple[tuple[int, int, int], ...] = ()
    cell_deg: float = 0.01
    density_days: int = 7
    core_grid: tuple[tuple[int, int, int], ...] = ()
    core_cell_deg: float = 0.005
    core: tuple[float, float, float, float] | None = None  # WGS-84 bounds of the inset

    @property
    def overdue_total(self) -> int:
        return sum(n for _, n in self.overdue)

    @property
    def open_total(self) -> int:
        return sum(n for _, n in self.stages)


@dataclass(frozen=True)
class CityState:
    """The scene's state: the parts inventory and the cases (either may be missing)."""

    parts: tuple[PartRow, ...] | None = None
    cases: CaseState | None = None


def build_parts(data: Mapping[str, Any] | None, o: Options) -> tuple[PartRow, ...] | None:
    """Counts per configured major class (in the options' order), then 未知 if any."""
    if not data or data.get("by_class") is None:
        return None
    codes = {pc.code: name for name, pc in o.part_classes.items()}
    counts: dict[str, dict[str, int]] = {name: {} for name in o.part_classes}
    unknown: dict[str, int] = {}
    for r in data["by_class"]:
        name = codes.get(str(r["major"]))
        target = counts[name] if name else unknown
        status = str(r["status"])
        target[status] = target.get(status, 0) + int(r["n"])
    rows = [PartRow(n, o.part_classes[n].code, counts[n]) for n in o.part_classes]
    if unknown:
        rows.append(PartRow(UNKNOWN, "", unknown))
    return tuple(rows)


def _period(raw: Mapping[str, Any], o: Options) -> Period:
    counts = combine(raw, early=o.due_includes_early)
    ints = {k: int(counts.get(k) or 0) for k in COUNT_KEYS}
    h = counts.get("handling_s")
    return Period(ints, case_rates(ints), None if h is None else float(h) / 3600, int(counts.get("handled") or 0))  # fmt: skip


def _departments(raw_rows: list[Mapping[str, Any]], overdue: Mapping[str, int], o: Options) -> tuple[Department, ...]:  # fmt: skip
    out = []
    for raw in raw_rows:
        r = {"department": raw["department"], **combine(raw, early=o.due_includes_early)}
        due = int(r["due"])
        if not due:
            continue
        ontime = int(r["closed_ontime"])
        rate = case_rates({"due": due, "closed_ontime": ontime})["ontime_closure_rate"]
        h = r.get("handling_s")
        out.append(Department(str(r["department"]), due, ontime, rate, None if h is None else float(h) / 3600, overdue.get(str(r["department"]), 0)))  # fmt: skip
    out.sort(key=lambda d: (-(d.rate or Decimal(0)), -d.due, d.name))
    return tuple(out)


def stage_of(state: str) -> str:
    """The stage an open case's state belongs to."""
    return next((name for name, states in STAGES if state in states), OTHER_STAGE)


def build_cases(data: Mapping[str, Any] | None, o: Options) -> CaseState | None:
    """Parse the cases product (None when it has not been fetched)."""
    if not data or data.get("now") is None:
        return None
    periods = data.get("periods") or {}
    overdue = tuple((str(r["department"] or "未派遣"), int(r["n"])) for r in data.get("overdue") or ())  # fmt: skip
    per_stage: dict[str, int] = {}
    for r in data.get("stages") or ():
        stage = stage_of(str(r["state"]))
        per_stage[stage] = per_stage.get(stage, 0) + int(r["n"])
    names = [n for n, _ in STAGES] + ([OTHER_STAGE] if OTHER_STAGE in per_stage else [])
    cats: dict[str, list[tuple[str, int, int]]] = {}
    for r in data.get("categories") or ():
        cats.setdefault(str(r["kind"]), []).append((str(r["category"]), int(r["n"]), int(r["open"])))  # fmt: skip
    return CaseState(
        now=to_dt(data["now"]),  # type: ignore[arg-type]
        periods={p: _period(v, o) for p, v in periods.items()},
        overdue=tuple(sorted(overdue, key=lambda x: (-x[1], x[0]))),
        departments=_departments(list(data.get("departments") or ()), dict(overdue), o),
        categories={k: tuple(v) for k, v in cats.items()},
        stages=tuple((n, per_stage.get(n, 0)) for n in names),
        counties={
            str(r["county"]): (int(r["open"]), int(r["overdue"]))
            for r in data.get("counties") or ()
        },  # fmt: skip
        emergencies=tuple(
            Emergency(
                str(r["case_id"]),
                str(r["subcategory"]),
                str(r["county"]),
                str(r["department"] or "未派遣"),
                to_dt(r["deadline"]),
            )  # type: ignore[arg-type]  # fmt: skip
            for r in data.get("emergencies") or ()
        ),
        emergency_total=int(data.get("emergency_total") or 0),
        grid=tuple((int(r["gx"]), int(r["gy"]), int(r["n"])) for r in data.get("grid") or ()),
        cell_deg=float(data.get("cell_deg") or 0.01),
        density_days=int(data.get("density_days") or 7),
        core_grid=tuple(
            (int(r["gx"]), int(r["gy"]), int(r["n"])) for r in data.get("core_grid") or ()
        ),
        core_cell_deg=float(data.get("core_cell_deg") or 0.005),
        core=tuple(float(v) for v in data["core"]) if data.get("core") else None,  # type: ignore[arg-type]
    )


def build_state(products: Mapping[str, Any], o: Options, names: tuple[str, str]) -> CityState:
    """The scene state from the parts and cases products (names: their product keys)."""
    return CityState(parts=build_parts(products.get(names[0]), o), cases=build_cases(products.get(names[1]), o))  # fmt: skip


def duration_text(seconds: float) -> str:
    """'3天4小时', '5小时12分', '18分钟' (never negative)."""
    minutes = max(0, int(seconds // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分" if mins else f"{hours}小时"
    return f"{mins}分钟"
