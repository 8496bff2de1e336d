"""Pure HTML panels of the 应急管理 scene: KPIs, event counts, warnings, sensors, resources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from indicators.emergency import (
    COLOUR_HEX,
    COLOUR_SEVERITY,
    EVENT_TYPES,
    GRADE_NAMES,
    GRADES,
    grade_text,
    highest_colour,
    highest_grade,
    warning_name,
)
from scenes.emergency.mapfig import GRADE_COLOR, wan
from scenes.emergency.state import Site, State, Warning
from scenes.render import EMPTY_TEXT, to_jsonable


def empty_panel(text: str = EMPTY_TEXT, ok: bool = False) -> Any:
    return to_jsonable(html.Div(text, className="empty-state ok" if ok else "empty-state"))


def chip(color: str) -> html.Span:
    """A colour dot; the colour is data (grade/warning palette), always next to words."""
    return html.Span(className="kpi-chip", style={"background": color})


def tile(label: str, value: Any, unit: str, note: str, color: str | None = None) -> html.Div:
    main = ([chip(color)] if color else []) + [
        html.Span(value, className="kpi-value"),
        html.Span(unit, className="kpi-unit"),
    ]
    return html.Div(
        [html.Div(label, className="kpi-label"), html.Div(main, className="kpi-main"),
         html.Div(note, className="kpi-note")],
        className="kpi",
    )  # fmt: skip


def shelter_totals(state: State) -> tuple[int, int]:
    """(free, total) persons over all shelters."""
    shelters = state.of_kind("shelter")
    return sum(s.free for s in shelters), int(sum(s.capacity for s in shelters))


def kpi_panel(state: State) -> Any:
    """处置中事件 (highest grade), 生效预警 (highest colour), 感知超限, 避难场所空余."""
    if not state.has_events and not state.has_sites:
        return empty_panel()
    top = highest_grade([e.grade for e in state.events])
    colour = highest_colour([w.colour for w in state.warnings])
    signals = {(w.type, w.colour) for w in state.warnings}
    over = sum(1 for s in state.sensors if s.over)
    free, total = shelter_totals(state)
    tiles = [
        tile("处置中事件", len(state.events), "起", f"最高 {grade_text(top)}" if top else "无处置中事件",
             GRADE_COLOR.get(top) if top else None),
        tile("生效预警信号", len(signals), "种",
             f"最高 {colour}色（{COLOUR_SEVERITY[colour]}）" if colour else "无生效预警",
             COLOUR_HEX[colour] if colour else None),
        tile("感知超限", over, f"/{len(state.sensors)}", "超过报警阈值" if over else "全部正常"),
        tile("避难场所空余", wan(free), "人", f"总容量 {wan(total)}人" if total else "暂无数据"),
    ]  # fmt: skip
    return to_jsonable(html.Div(tiles, className="kpi-grid emg-kpis"))


def stats_panel(state: State) -> Any:
    """Active events by type (rows) and grade (columns), with totals and recently ended."""
    if not state.has_events:
        return empty_panel()
    head = html.Tr([html.Th("类型"), *(html.Th(GRADE_NAMES[g]) for g in GRADES), html.Th("合计")])
    body = []
    for t in EVENT_TYPES:
        mine = [e for e in state.events if e.type == t]
        cells = [
            html.Td(sum(1 for e in mine if e.grade == g) or "—", className="num") for g in GRADES
        ]
        body.append(html.Tr([html.Td(t), *cells, html.Td(len(mine), className="num")]))
    foot = html.Div(
        f"处置中 {len(state.events)} 起 · 近24小时已结束 {len(state.ended)} 起",
        className="panel-note",
    )
    return to_jsonable(
        html.Div([html.Table([html.Thead(head), html.Tbody(body)], className="wall-table"), foot])
    )


def _counties(codes: Sequence[str], names: dict[str, str]) -> str:
    if set(names) and set(codes) >= set(names):
        return "全市"
    shown = [names.get(c, c) for c in codes]
    return "、".join(shown[:3]) + (f"等{len(shown)}地" if len(shown) > 3 else "")


def warnings_panel(state: State, names: dict[str, str], rows: int) -> Any:
    """Signals in force grouped by (type, colour, expiry): chip, name, counties, until."""
    if not state.has_events:
        return empty_panel()
    groups: dict[tuple[str, str, Any], list[Warning]] = {}
    for w in state.warnings:
        groups.setdefault((w.type, w.colour, w.expires), []).append(w)
    if not groups:
        return empty_panel("当前无生效预警信号", ok=True)
    lines = []
    for (kind, colour, until), ws in list(groups.items())[:rows]:
        lines.append(
            html.Div(
                [chip(COLOUR_HEX[colour]), html.Span(warning_name(kind, colour), className="emg-wname"),
                 html.Span(_counties([w.county for w in ws], names), className="emg-wplace"),
                 html.Span(f"至{until:%d日%H:%M}", className="emg-wuntil")],
                className="emg-row emg-warning",
            )
        )  # fmt: skip
    more = len(groups) - rows
    if more > 0:
        lines.append(html.Div(f"另有 {more} 条预警", className="panel-note"))
    if state.invalid_warnings:
        lines.append(
            html.Div(
                f"{state.invalid_warnings} 条信号级别不符合配置，未显示", className="panel-note"
            )
        )
    return to_jsonable(html.Div(lines, className="emg-list"))


def _reading(s: Site) -> str:
    return "无读数" if s.value is None else f"{s.value:g} {s.unit}"


def sensors_panel(state: State, rows: int) -> Any:
    """Sensors over threshold first (highest ratio first), then the rest."""
    if not state.sensors:
        return empty_panel()
    ratio = lambda s: (s.value or 0) / s.capacity if s.capacity else 0  # noqa: E731
    ranked = sorted(state.sensors, key=lambda s: (not s.over, -ratio(s), s.site_id))
    lines = [
        html.Div(
            [html.Span("超限" if s.over else "正常", className=f"tag {'bad' if s.over else 'good'}"),
             html.Span(s.name, className="emg-sname"),
             html.Span(_reading(s), className="num emg-sval"),
             html.Span(f"阈值 {s.capacity:g}", className="emg-sth")],
            className="emg-row emg-sensor",
        )
        for s in ranked[:rows]
    ]  # fmt: skip
    over = sum(1 for s in state.sensors if s.over)
    lines.append(
        html.Div(f"共 {len(state.sensors)} 个感知点，超限 {over} 个", className="panel-note")
    )
    return to_jsonable(html.Div(lines, className="emg-list"))


def resources_panel(state: State) -> Any:
    """Shelter capacity free/total, rescue teams and members, depots and items, risk sources."""
    if not state.resources and not state.risks:
        return empty_panel()
    free, total = shelter_totals(state)
    teams, depots = state.of_kind("rescue_team"), state.of_kind("depot")
    major = sum(1 for r in state.risks if r.level == 1)
    items = [
        ("避难场所", f"{len(state.of_kind('shelter'))} 处", f"空余 {free:,} / {total:,} 人"),
        ("救援队伍", f"{len(teams)} 支", f"{sum(t.capacity for t in teams):,.0f} 人"),
        ("物资储备", f"{len(depots)} 个", f"{sum(d.capacity for d in depots):,.0f} 件"),
        ("风险源", f"{len(state.risks)} 处", f"重大风险 {major} 处"),
    ]
    return to_jsonable(
        html.Div(
            [html.Div([html.Span(a, className="emg-rlabel"), html.Span(b, className="num emg-rcount"),
                       html.Span(c, className="emg-rnote")], className="emg-row emg-res") for a, b, c in items],
            className="emg-list",
        )
    )  # fmt: skip


def picker(events_: Sequence[Any], value: str | None, part_id: dict[str, str]) -> Any:
    """The event picker (scoped id): grade name and subtype in words for each active event."""
    options = [
        {"label": f"{GRADE_NAMES.get(e.grade, '')} {e.subtype}", "value": e.event_id}
        for e in events_
    ]
    return to_jsonable(
        dcc.RadioItems(
            id=part_id,
            options=options,
            value=value,
            className="segmented emg-picker",
            inline=True,
            persistence=True,
            persistence_type="memory",
        )
    )
