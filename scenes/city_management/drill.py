"""Pure drill-down: the cases behind one KPI tile, rendered from the drill product.

A tile's key is "<rate>.<period>" (e.g. "ontime_closure_rate.month"). The product keeps, per
key, at most DRILL_CAP rows and two totals (under each 应结案 rule); this module picks the
rule of the options, cuts the list to `drill_rows` and lays it out in two columns. No I/O: the
callback passes the snapshot it read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dash import html

from indicators.cases import RATE_LABELS
from scenes.city_management.options import Options
from scenes.city_management.queries import PERIODS, RATE_KEYS
from scenes.city_management.state import PERIOD_NAMES, duration_text, to_dt

# rate -> (what the listed cases are, the time column's header, its field)
DRILL_TEXT: dict[str, tuple[str, str, str]] = {
    "registration_rate": ("受理后未立案的案件", "受理时间", "accepted_at"),
    "dispatch_rate": ("立案后未派遣的案件", "立案时间", "registered_at"),
    "closure_rate": ("应结案但未结案的案件", "处置时限", "deadline"),
    "ontime_closure_rate": ("应结案但未按期结案的案件", "处置时限", "deadline"),
    "rework_rate": ("应结案中返工过的案件", "处置时限", "deadline"),
    "extension_rate": ("应结案中延期过的案件", "处置时限", "deadline"),
}
DUE_BASED = frozenset({"closure_rate", "ontime_closure_rate", "rework_rate", "extension_rate"})
HEADERS = ("", "案件编号", "类别", "县区", "责任部门", "", "状态", "")


def drill_key(rate: str, period: str) -> str:
    """The key of one (rate, period) tile."""
    return f"{rate}.{period}"


def parse_key(key: Any) -> tuple[str, str] | None:
    """(rate, period) of a valid key, else None (a key is data from the browser)."""
    if not isinstance(key, str) or key.count(".") != 1:
        return None
    rate, period = key.split(".")
    return (rate, period) if rate in RATE_KEYS and period in PERIODS else None


@dataclass(frozen=True)
class DrillRow:
    """One listed case, ready to show."""

    case_id: str
    category: str
    county: str
    department: str
    time: str
    state: str
    lateness: str


@dataclass(frozen=True)
class Drill:
    """A resolved drill list: title parts, total, shown rows and the first case's history."""

    rate: str
    period: str
    total: int
    rows: tuple[DrillRow, ...]
    history_case: str | None
    history: tuple[tuple[str, str, str], ...]  # (time, state, detail)
    now: datetime

    @property
    def title(self) -> str:
        return f"{RATE_LABELS[self.rate]} · {PERIOD_NAMES[self.period]}：{DRILL_TEXT[self.rate][0]}"

    @property
    def count_text(self) -> str:
        if len(self.rows) < self.total:
            return f"共 {self.total:,} 件，显示前 {len(self.rows)} 件"
        return f"共 {self.total:,} 件"


def _time(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "—"
    return f"{value:%H:%M}" if value.date() == now.date() else f"{value:%m-%d %H:%M}"


def _lateness(rate: str, r: Mapping[str, Any], now: datetime) -> str:
    """超期 (due-based lists) or 已等待 (registration/dispatch lists), in words."""
    if rate not in DUE_BASED:
        if r["state"] == "作废":
            return "已作废"
        since = to_dt(r["accepted_at"] if rate == "registration_rate" else r["registered_at"])
        return f"已等待{duration_text((now - since).total_seconds())}" if since else "—"
    deadline, closed = to_dt(r["deadline"]), to_dt(r["closed_at"])
    if deadline is None:
        return "—"
    end = closed or now
    if end <= deadline:
        return "按期" if closed else "未到期"
    # The state column says whether the case is still open; this one says by how much (the
    # column is headed 超期时长, so the cell needs no prefix).
    return duration_text((end - deadline).total_seconds())


def _state(rate: str, r: Mapping[str, Any]) -> str:
    state = str(r["state"])
    if rate == "rework_rate" and int(r.get("rework_count") or 0):
        return f"{state}·返工{int(r['rework_count'])}次"
    if rate == "extension_rate" and int(r.get("extension_count") or 0):
        return f"{state}·延期{int(r['extension_count'])}次"
    return state


def resolve(
    data: Mapping[str, Any] | None, key: Any, options: Options, names: Mapping[str, str]
) -> Drill | None:
    """The drill list of `key` from the product under the options' rule (None: no such list)."""
    parsed = parse_key(key)
    if not data or parsed is None or data.get("now") is None:
        return None
    entry = (data.get("lists") or {}).get(key)
    if entry is None:
        return None
    rate, period = parsed
    now = to_dt(data["now"])
    early = options.due_includes_early
    rows = [r for r in entry.get("rows") or () if early or not int(r.get("early") or 0)]
    total = int(entry["total_early"] if early else entry["total_strict"])
    field = DRILL_TEXT[rate][2]
    shown = tuple(
        DrillRow(
            case_id=str(r["case_id"]),
            category=f"{r['category']}·{r['subcategory']}",
            county=names.get(str(r["county"]), str(r["county"])),
            department=str(r["department"] or "未派遣"),
            time=_time(to_dt(r[field]), now),  # type: ignore[arg-type]
            state=_state(rate, r),
            lateness=_lateness(rate, r, now),  # type: ignore[arg-type]
        )
        for r in rows[: options.drill_rows]
    )
    first = shown[0].case_id if shown else None
    steps = (data.get("history") or {}).get(first, []) if first else []
    return Drill(rate, period, max(total, len(shown)), shown, first, _steps(steps), now)  # type: ignore[arg-type]


def _steps(steps: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, str, str], ...]:
    """(time, state, department or note) per step; the date is written when it changes."""
    out, day = [], None
    for s in steps:
        ts = to_dt(s["ts"])
        if ts is None:
            continue
        text = f"{ts:%H:%M}" if ts.date() == day else f"{ts:%m-%d %H:%M}"
        day = ts.date()
        out.append((text, str(s["state"]), str(s.get("department") or s.get("note") or "")))
    return tuple(out)


def _row(i: int, r: DrillRow) -> html.Div:
    late = (
        ""
        if r.lateness in ("按期", "未到期", "—", "已作废") or r.lateness.startswith("已等待")
        else "cm-late"
    )
    cells = [
        html.Span(f"{i}", className="cm-d-idx"),
        html.Span(r.case_id, className="cm-d-id"),
        html.Span(r.category, className="cm-d-cat"),
        html.Span(r.county, className="cm-d-county"),
        html.Span(r.department, className="cm-d-dept"),
        html.Span(r.time, className="cm-d-time"),
        html.Span(r.state, className="cm-d-state"),
        html.Span(r.lateness, className=f"cm-d-late {late}".strip()),
    ]
    return html.Div(cells, className="cm-d-row", **{"data-case": r.case_id})


def _column(rows: Sequence[tuple[int, DrillRow]], time_header: str, late_header: str) -> html.Div:
    heads = list(HEADERS)
    heads[5], heads[7] = time_header, late_header
    head = html.Div([html.Span(h) for h in heads], className="cm-d-row cm-d-head")
    return html.Div([head, *(_row(i, r) for i, r in rows)], className="cm-d-col")


def _history(d: Drill) -> html.Div | None:
    if not d.history_case or not d.history:
        return None
    steps = []
    for i, (t, state, detail) in enumerate(d.history):
        if i:
            steps.append(html.Span("→", className="cm-h-arrow"))
        text = f"{t} {state}" + (f"（{detail}）" if detail else "")
        steps.append(html.Span(text, className="cm-h-step"))
    return html.Div(
        [html.Span(f"首件 {d.history_case} 流转记录", className="cm-h-label"), *steps],
        className="cm-history",
    )


def drill_body(
    d: Drill | None,
    *,
    as_of: str = "",
    stale: bool = False,
    rule_note: str = "",
    per_column: int = 0,
) -> list[Any]:
    """The overlay's children: title bar, count, two columns of cases, the first case's history.

    The left column fills first, up to `per_column` rows (half the rows when 0)."""
    if d is None:
        return [html.Div("暂无数据", className="empty-state")]
    meta = [html.Span(d.count_text, className="cm-d-count")]
    if rule_note and d.rate in DUE_BASED:
        meta.append(html.Span(rule_note, className="cm-d-note"))
    if as_of:
        meta.append(
            html.Span(
                f"数据延迟 since {as_of}" if stale else f"数据截至 {as_of}",
                className="cm-d-asof stale" if stale else "cm-d-asof",
            )
        )
    head = html.Div(
        [html.H2(d.title, className="cm-d-title"), html.Div(meta, className="cm-d-meta")],
        className="cm-d-headline",
    )
    if not d.rows:
        return [head, html.Div("该期间无此类案件", className="empty-state ok")]
    _, time_header, _ = DRILL_TEXT[d.rate]
    late_header = "超期时长" if d.rate in DUE_BASED else "等待"
    numbered = list(enumerate(d.rows, start=1))
    half = per_column or (len(numbered) + 1) // 2
    cols = [_column(numbered[:half], time_header, late_header)]
    if numbered[half:]:
        cols.append(_column(numbered[half:], time_header, late_header))
    wide = " cm-d-counted" if d.rate in ("rework_rate", "extension_rate") else ""
    body: list[Any] = [head, html.Div(cols, className="cm-d-cols" + wide)]
    history = _history(d)
    if history is not None:
        body.append(history)
    return body


def rule_text(options: Options) -> str:
    """How 应结案数 is counted, for the drill note and the KPI panel."""
    return "应结案数含提前结案" if options.due_includes_early else "应结案数按处置时限计"
