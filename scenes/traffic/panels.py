"""Pure HTML panels of the 交通运行 scene: the KPI strip and the incident list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dash import html

from indicators.traffic import GRADE_COLORS
from scenes.render import EMPTY_TEXT, to_jsonable
from scenes.traffic.network import IncidentRow, TrafficState, kind_counts

# Grid template only (allowed inline by the brief); looks live in assets/theme.css.
KPI_GRID = {"gridTemplateColumns": "minmax(0, 1.5fr) repeat(5, minmax(0, 1fr))"}


def empty_panel(text: str = EMPTY_TEXT, ok: bool = False) -> Any:
    """The explicit no-data (or all-clear) state of an HTML panel."""
    return to_jsonable(html.Div(text, className="empty-state ok" if ok else "empty-state"))


def tile(
    label: str, value: Any, unit: str = "", notes: Sequence[str] = (), color: str | None = None
) -> html.Div:
    """A KPI tile: label, big value with unit (and a level chip), then note lines."""
    chip = [html.Span(className="kpi-chip", style={"background": color})] if color else []
    main = [*chip, html.Span(value, className="kpi-value"), html.Span(unit, className="kpi-unit")]
    children = [html.Div(label, className="kpi-label"), html.Div(main, className="kpi-main")]
    children += [html.Div(n, className="kpi-note") for n in notes]
    return html.Div(children, className="kpi")


def trend(now: float | None, before: float | None) -> str:
    """'较上周同时 ↑0.8' in words and arrow, so the trend never relies on colour."""
    if now is None or before is None:
        return "较上周同时 —"
    delta = round(now - before, 1)
    if delta == 0:
        return "较上周同时 持平"
    return f"较上周同时 {'↑' if delta > 0 else '↓'}{abs(delta):.1f}"


def _last_week_at(state: TrafficState, now: datetime) -> float | None:
    """Last week's TPI at the latest slot not after `now` (shifted onto today)."""
    before = [v for t, v in state.last_week if t <= now]
    return before[-1] if before else None


def kpi_panel(state: TrafficState, now: datetime, congested: Sequence[str], scope: str) -> Any:
    """TPI (chip + level), TTI, DTP, mean speed, congested mileage share, active incidents."""
    net = state.network
    counts = kind_counts(state.incidents)
    active = sum(counts.values())
    kinds = [f"{k}{v}" for k, v in counts.items() if v]
    notes = (" ".join(kinds[:2]), " ".join(kinds[2:])) if kinds else ("无处置中事件",)
    events = tile("当前交通事件", active, "起", tuple(n for n in notes if n))
    if net is None:
        return to_jsonable(
            html.Div(
                [tile("交通运行指数", "—", "", ("暂无实时车速",)), events],
                className="kpi-grid traffic-kpis",
                style={"gridTemplateColumns": "minmax(0, 1.5fr) minmax(0, 1fr)"},
            )
        )
    name = "建成区路网" if scope == "urban" else "全路网"
    cong = "+".join(g.removesuffix("拥堵") for g in congested)
    tiles = [
        tile(
            f"交通运行指数 · {state.as_of:%H:%M}" if state.as_of else "交通运行指数",
            f"{net.tpi:.1f}",
            net.level,
            (trend(net.tpi, _last_week_at(state, now)),),
            GRADE_COLORS[net.level],
        ),
        tile("行程时间比", "—" if net.tti is None else f"{net.tti:.2f}", "", ("TTI", name)),
        tile("延误时间比", f"{100 * net.dtp:.1f}", "%", ("DTP", "里程加权")),
        tile("平均车速", f"{net.speed_kmh:.0f}", "km/h", ("里程加权", f"{net.km:.0f} km路段")),
        tile("拥堵里程占比", f"{100 * net.congested:.1f}", "%", (f"{cong}拥堵", "里程")),
        events,
    ]
    return to_jsonable(html.Div(tiles, className="kpi-grid traffic-kpis", style=KPI_GRID))


def _status(row: IncidentRow) -> html.Span:
    if row.active:
        text = "处置中" if row.end is None else f"处置中·预计{row.end:%H:%M}"
        return html.Span(text, className="tag traffic-active")
    return html.Span(f"已结束 {row.end:%H:%M}" if row.end else "已结束", className="tag good")


def incident_panel(state: TrafficState, rows_max: int) -> Any:
    """Active incidents first (most recent first), then today's ended ones."""
    rows = state.incidents
    if not rows:
        return empty_panel("今日暂无交通事件", ok=True)
    head = html.Tr([html.Th(t) for t in ("类型", "道路", "开始", "状态")])
    body = [
        html.Tr(
            [
                html.Td(html.Span(r.label, className=f"traffic-kind kind-{r.kind}")),
                html.Td(r.road, className="traffic-road"),
                html.Td(f"{r.start:%H:%M}", className="num"),
                html.Td(_status(r)),
            ]
        )
        for r in rows[:rows_max]
    ]
    more = len(rows) - rows_max
    foot = [html.Div(f"另有 {more} 起（今日）", className="panel-note")] if more > 0 else []
    return to_jsonable(
        html.Div([html.Table([html.Thead(head), html.Tbody(body)], className="wall-table"), *foot])
    )
