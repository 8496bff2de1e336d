"""Pure HTML panels of the 城市管理 scene: the clickable rate matrix, efficiency tiles, parts,
classes, workflow stages, overdue departments and the department ranking."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from dash import html

from data_sources.datasets.cases import EVENT_CLASSES
from indicators.cases import COUNT_LABELS, RATE_LABELS, RATES
from scenes.city_management.drill import drill_key
from scenes.city_management.options import Options
from scenes.city_management.queries import PERIODS, RATE_KEYS
from scenes.city_management.state import (
    PART_STATUSES,
    PERIOD_NAMES,
    CaseState,
    Department,
    PartRow,
)
from scenes.render import EMPTY_TEXT, to_jsonable

SCENE_ID = "city_management"
TILE_PART = "rate"  # pattern-matched by the drill callback: {"scene", "part": "rate", "key"}
OVERDUE_ROWS = 8
CATEGORY_ROWS = 7


def empty_panel(text: str = EMPTY_TEXT, ok: bool = False) -> Any:
    """The explicit no-data state of an HTML panel."""
    return to_jsonable(html.Div(text, className="empty-state ok" if ok else "empty-state"))


def pct(value: Decimal | float | None, digits: int = 2) -> str:
    """A percentage's number, '—' when undefined."""
    return "—" if value is None else f"{value:.{digits}f}"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def tile_id(rate: str, period: str) -> dict[str, str]:
    """The pattern-matching id of one rate tile."""
    return {"scene": SCENE_ID, "part": TILE_PART, "key": drill_key(rate, period)}


def _rate_cell(cases: CaseState, rate: str, period: str) -> html.Div:
    p = cases.periods.get(period)
    num, den = RATES[rate]
    value = p.rates.get(rate) if p else None
    # No thousands separators: a month's "17003/17003" next to "100.00%" must fit the cell.
    frac = f"{p.counts[num]}/{p.counts[den]}" if p else "—"
    return html.Div(
        [
            html.Span(pct(value), className="cm-rate-value"),
            html.Span("%" if value is not None else "", className="cm-rate-unit"),
            html.Span(frac, className="cm-rate-frac"),
        ],
        id=tile_id(rate, period),
        n_clicks=0,
        className="cm-rate-cell",
        title=f"{RATE_LABELS[rate]} · {PERIOD_NAMES[period]}：点击查看案件清单",
        role="button",
    )


def rate_matrix(cases: CaseState | None) -> Any:
    """Six rates (rows) × today / this week / this month (columns); each cell opens its cases."""
    if cases is None:
        return empty_panel()
    head = html.Div(
        [html.Span("指标 = 分子 ÷ 分母", className="cm-rate-corner")]
        + [html.Span(PERIOD_NAMES[p], className="cm-rate-period") for p in PERIODS],
        className="cm-rate-row cm-rate-head",
    )
    rows = [head]
    for rate in RATE_KEYS:
        num, den = RATES[rate]
        label = html.Div(
            [
                html.Div(RATE_LABELS[rate], className="cm-rate-name"),
                html.Div(f"{COUNT_LABELS[num]}÷{COUNT_LABELS[den]}", className="cm-rate-formula"),
            ],
            className="cm-rate-label",
        )
        rows.append(
            html.Div(
                [label, *(_rate_cell(cases, rate, p) for p in PERIODS)], className="cm-rate-row"
            )
        )
    return to_jsonable(html.Div(rows, className="cm-rates"))


def as_of_text(cases_at: str, drill_at: str) -> str:
    """'截至 17:44:09（清单 17:44:05）': when the counts and the case lists were read."""
    counts = f"截至 {cases_at}" if cases_at else "统计准备中"
    return counts + (f"（清单 {drill_at}）" if drill_at else "（清单准备中）")


def _tile(label: str, value: Any, unit: str, note: str) -> html.Div:
    return html.Div(
        [
            html.Div(label, className="kpi-label"),
            html.Div(
                [html.Span(value, className="kpi-value"), html.Span(unit, className="kpi-unit")],
                className="kpi-main",
            ),
            html.Div(note, className="kpi-note"),
        ],
        className="kpi",
    )


def efficiency_panel(cases: CaseState | None) -> Any:
    """超期案件 (open, past deadline) and 平均处置时长 (this month, today and this week)."""
    if cases is None:
        return empty_panel()
    depts = len(cases.overdue)
    hrs = {p: hours(v.handling_h) for p, v in cases.periods.items()}
    tiles = [
        _tile(
            "超期案件",
            f"{cases.overdue_total:,}",
            "件",
            f"涉及 {depts} 个部门" if depts else "当前无超期",
        ),
        _tile(
            "平均处置时长·本月",
            hrs.get("month", "—"),
            "小时",
            f"今日 {hrs.get('today', '—')} · 本周 {hrs.get('week', '—')}",
        ),
    ]
    return to_jsonable(html.Div(tiles, className="kpi-grid cm-eff"))


def parts_panel(parts: Sequence[PartRow] | None) -> Any:
    """The inventory per major class: code, total, 损坏/丢失/占用 and 完好率."""
    if parts is None:
        return empty_panel()
    if not any(r.total for r in parts):
        return empty_panel("暂无部件普查数据")
    head = html.Tr(
        [html.Th("大类"), html.Th("部件数", className="num")]
        + [html.Th(s, className="num") for s in PART_STATUSES[1:]]
        + [html.Th("完好率", className="num")]
    )

    def row(r: PartRow, cls: str = "") -> html.Tr:
        cells = [
            html.Td([html.Span(r.code, className="cm-code"), r.name] if r.code else r.name),
            html.Td(f"{r.total:,}", className="num"),
        ]
        cells += [html.Td(f"{r.counts.get(s, 0):,}", className="num") for s in PART_STATUSES[1:]]
        cells.append(html.Td(f"{pct(r.intact_rate, 1)}%" if r.total else "—", className="num"))
        return html.Tr(cells, className=cls or None)

    total: dict[str, int] = {}
    for r in parts:
        for s, n in r.counts.items():
            total[s] = total.get(s, 0) + n
    body = [row(r) for r in parts] + [row(PartRow("合计", "", total), "cm-total")]
    return to_jsonable(
        html.Table([html.Thead(head), html.Tbody(body)], className="wall-table cm-parts")
    )


def categories_panel(cases: CaseState | None, options: Options) -> Any:
    """This month's cases per class: 事件 classes and 部件 classes side by side."""
    if cases is None:
        return empty_panel()
    if not cases.categories:
        return empty_panel("本月暂无案件")
    order = {
        "事件": EVENT_CLASSES,
        "部件": tuple(options.part_classes),
    }
    cols = []
    for kind in ("事件", "部件"):
        rows = {c: (n, o) for c, n, o in cases.categories.get(kind, ())}
        names = [c for c in order[kind] if c in rows] + sorted(set(rows) - set(order[kind]))
        names = names[:CATEGORY_ROWS]
        top = max((rows[c][0] for c in names), default=0) or 1
        lines = [
            html.Div(
                [
                    html.Span(kind),
                    html.Span("本月", className="num"),
                    html.Span("在办", className="num"),
                ],
                className="cm-cat-row cm-cat-head",
            )
        ]
        for c in names:
            n, o = rows[c]
            bar = html.Div(
                html.Div(className="cm-bar-fill", style={"width": f"{100 * n / top:.0f}%"}),
                className="cm-bar",
            )
            lines.append(
                html.Div(
                    [
                        html.Div(
                            [html.Span(c, className="cm-cat-name"), bar], className="cm-cat-cell"
                        ),
                        html.Span(f"{n:,}", className="num"),
                        html.Span(f"{o:,}", className="num cm-muted"),
                    ],
                    className="cm-cat-row",
                )
            )
        if not names:
            lines.append(html.Div("本月暂无", className="cm-muted"))
        cols.append(html.Div(lines, className="cm-cat-col"))
    return to_jsonable(html.Div(cols, className="cm-cats"))


def stages_panel(cases: CaseState | None) -> Any:
    """Open cases by the workflow step they wait for, as a left-to-right flow."""
    if cases is None:
        return empty_panel()
    if not cases.open_total:
        return empty_panel("当前无在办案件", ok=True)
    boxes = []
    for i, (name, n) in enumerate(cases.stages):
        boxes.append(
            html.Div(
                [
                    html.Div(name, className="cm-stage-name"),
                    html.Div(f"{n:,}", className="cm-stage-n"),
                ],
                className="cm-stage" + (" cm-stage-zero" if not n else ""),
                **{"data-step": str(i + 1)},
            )
        )
    note = html.Div(
        f"在办合计 {cases.open_total:,} 件 · 其中超期 {cases.overdue_total:,} 件（缓办暂停计时）",
        className="panel-note",
    )
    return to_jsonable(html.Div([html.Div(boxes, className="cm-stages"), note]))


def overdue_panel(cases: CaseState | None) -> Any:
    """Open cases past their deadline per department, most first, count written on each bar."""
    if cases is None:
        return empty_panel()
    if not cases.overdue:
        return empty_panel("当前无超期案件", ok=True)
    shown = cases.overdue[:OVERDUE_ROWS]
    top = shown[0][1] or 1
    lines = []
    for name, n in shown:
        bar = html.Div(
            html.Div(className="cm-bar-fill cm-bar-warn", style={"width": f"{100 * n / top:.0f}%"}),
            className="cm-bar",
        )
        lines.append(
            html.Div(
                [
                    html.Span(name, className="cm-od-name"),
                    bar,
                    html.Span(f"{n:,} 件", className="num"),
                ],
                className="cm-od-row",
            )
        )
    rest = cases.overdue[OVERDUE_ROWS:]
    if rest:
        lines.append(
            html.Div(
                f"另有 {len(rest)} 个部门 共 {sum(n for _, n in rest):,} 件", className="panel-note"
            )
        )
    return to_jsonable(html.Div(lines, className="cm-od"))


def ranked_rows(
    departments: Sequence[Department], limit: int
) -> list[tuple[int, Department] | None]:
    """The ranking cut to `limit` rows: the top, a gap (None) and the last few when it is long."""
    ranked = list(enumerate(departments, start=1))
    if len(ranked) <= limit:
        return list(ranked)
    tail = max(1, min(3, limit // 3))
    return [*ranked[: limit - tail - 1], None, *ranked[-tail:]]


def ranking_panel(cases: CaseState | None, options: Options) -> Any:
    """This month's departments by 按期结案率, with 按期结案数/应结案数 (the denominator)."""
    if cases is None:
        return empty_panel()
    if not cases.departments:
        return empty_panel("本月暂无应结案件")
    head = html.Tr(
        [
            html.Th("#", className="num"),
            html.Th("责任部门"),
            html.Th("按期结案率", className="num"),
            html.Th("按期/应结", className="num"),
        ]
    )
    body = []
    for item in ranked_rows(cases.departments, options.ranking_rows):
        if item is None:
            hidden = len(cases.departments) - options.ranking_rows + 1
            body.append(
                html.Tr(html.Td(f"… 中间 {hidden} 个部门略 …", colSpan=4, className="cm-gap"))
            )
            continue
        i, d = item
        rate = f"{pct(d.rate)}%" if d.rate is not None else "—"
        body.append(
            html.Tr(
                [
                    html.Td(i, className="num cm-muted"),
                    html.Td(d.name, className="cm-dept"),
                    html.Td(rate, className="num cm-strong"),
                    html.Td(f"{d.closed_ontime:,}/{d.due:,}", className="num"),
                ]
            )
        )
    return to_jsonable(
        html.Table([html.Thead(head), html.Tbody(body)], className="wall-table cm-rank")
    )
