"""Pure transform of the 应急管理 scene: products -> panel values and the overview summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from indicators.emergency import (
    COLOUR_HEX,
    COLOUR_LEVEL,
    COLOUR_SEVERITY,
    grade_text,
    highest_colour,
    highest_grade,
    warning_name,
)
from scenes.base import Alert, Kpi, RenderContext, SceneIds, SceneSummary
from scenes.emergency.detail import nearby_figure, timeline_figure
from scenes.emergency.mapfig import GRADE_COLOR, map_figure, wan
from scenes.emergency.options import Options
from scenes.emergency.panels import (
    kpi_panel,
    picker,
    resources_panel,
    sensors_panel,
    shelter_totals,
    stats_panel,
    warnings_panel,
)
from scenes.emergency.state import State, build_state
from scenes.render import empty_figure, to_jsonable
from wall.live import DEFAULT_VARIANT

EVENTS = "emg_events"
SITES = "emg_sites"
SCENE_ID = "emergency"
PICKER = SceneIds(SCENE_ID).part("event")


def state_of(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> State:
    return build_state(products.get(EVENTS), products.get(SITES), options.warning_levels, ctx.now)


def _variants(state: State, options: Options) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per active event (and `_default` = the most severe): timeline and nearby figures."""
    timeline: dict[str, Any] = {}
    nearby: dict[str, Any] = {}
    for e in state.events:
        timeline[e.event_id] = timeline_figure(e, state, options.timeline_rows)
        nearby[e.event_id] = nearby_figure(e, state, options)
    if state.events:
        first = state.events[0].event_id
        timeline[DEFAULT_VARIANT], nearby[DEFAULT_VARIANT] = timeline[first], nearby[first]
    else:
        text = "暂无处置中事件" if state.has_events else "暂无数据"
        timeline[DEFAULT_VARIANT] = nearby[DEFAULT_VARIANT] = empty_figure(text)
    return timeline, nearby


def picker_panel(state: State, options: Options) -> Any:
    """The picker is always in the DOM (the live callback reads it), with a note when empty."""
    shown = state.events[: options.picker_events]
    value = shown[0].event_id if shown else None
    children = [picker(shown, value, PICKER)]
    if not shown:
        children.append(to_jsonable(html.Div("暂无处置中事件", className="muted emg-pick-empty")))
    return to_jsonable(html.Div(children, className="emg-pick"))


def build_view(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> dict[str, Any]:
    """Every declared panel's JSON-ready value; missing products give explicit 暂无数据 states."""
    state = state_of(products, options, ctx)
    timeline, nearby = _variants(state, options)
    return {
        "kpis": kpi_panel(state),
        "map": map_figure(state, ctx),
        "stats": stats_panel(state),
        "warnings": warnings_panel(state, dict(ctx.geo.names), options.warning_rows),
        "sensors": sensors_panel(state, options.sensor_rows),
        "resources": resources_panel(state),
        "event_picker": picker_panel(state, options),
        "event_timeline": timeline,
        "event_nearby": nearby,
    }


def _alerts(state: State, names: dict[str, str]) -> list[tuple[int, float, Alert]]:
    """Grade I/II events (1/2), red/orange warnings (1/2), sensors over threshold (3)."""
    out = []
    for e in state.events:
        if e.grade in ("I", "II"):
            level = 1 if e.grade == "I" else 2
            text = f"{grade_text(e.grade)}{e.type}：{names.get(e.county, e.county)} {e.place} {e.subtype}，处置中"
            out.append((level, 0.0, Alert(SCENE_ID, level, text, f"{e.started:%H:%M}")))
    groups: dict[tuple[str, str], list[str]] = {}
    for w in state.warnings:
        if w.colour in ("红", "橙"):
            groups.setdefault((w.type, w.colour), []).append(names.get(w.county, w.county))
    for (kind, colour), places in groups.items():
        level = COLOUR_LEVEL[colour]
        where = "全市" if len(places) >= len(names) > 0 else "、".join(places)
        text = f"{where} {warning_name(kind, colour)}生效（{COLOUR_SEVERITY[colour]}）"
        out.append((level, 0.0, Alert(SCENE_ID, level, text, "")))
    for s in state.sensors:
        if s.over:
            text = f"{names.get(s.county, s.county)} {s.name} {s.kind} {s.value:g}{s.unit}，超过阈值 {s.capacity:g}{s.unit}"
            at = f"{s.ts:%H:%M}" if s.ts else ""
            out.append((3, -(s.value or 0) / (s.capacity or 1), Alert(SCENE_ID, 3, text, at)))
    return out


def _cap(items: list[tuple[int, float, Alert]], limit: int) -> tuple[Alert, ...]:
    items.sort(key=lambda x: (x[0], x[1], x[2].text))
    kept = [a for _, _, a in items[:limit]]
    if len(items) > limit:
        kept.append(
            Alert(SCENE_ID, 3, f"另有 {len(items) - limit} 条应急告警，详见应急管理场景", "")
        )
    return tuple(kept)


def county_risk(state: State, codes: list[str]) -> dict[str, int]:
    """Documented risk count: active events + warning signals in force, per county."""
    out = dict.fromkeys(codes, 0)
    for e in state.events:
        out[e.county] = out.get(e.county, 0) + 1
    for w in state.warnings:
        out[w.county] = out.get(w.county, 0) + 1
    return out


def summarize(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> SceneSummary:
    """KPIs, per-county risk and escalation alerts for the overview and the ticker."""
    state = state_of(products, options, ctx)
    names = dict(ctx.geo.names)
    kpis = []
    if state.has_events:
        top = highest_grade([e.grade for e in state.events])
        kpis.append(Kpi("events", "处置中突发事件", len(state.events), "起", GRADE_COLOR.get(top) if top else None,
                        f"最高 {grade_text(top)}" if top else "无处置中事件"))  # fmt: skip
        colour = highest_colour([w.colour for w in state.warnings])
        signals = len({(w.type, w.colour) for w in state.warnings})
        kpis.append(Kpi("warnings", "生效预警信号", signals, "种", COLOUR_HEX[colour] if colour else None,
                        f"最高 {colour}色预警" if colour else "无生效预警"))  # fmt: skip
    if state.sensors:
        over = sum(1 for s in state.sensors if s.over)
        kpis.append(
            Kpi("sensors_over", "感知超限", over, f"/{len(state.sensors)}", None, "物联感知点")
        )
    if state.of_kind("shelter"):
        free, total = shelter_totals(state)
        kpis.append(
            Kpi("shelter_free", "避难场所空余", wan(free), "人", None, f"总容量 {wan(total)}人")
        )
    values = county_risk(state, list(names)) if state.has_events else {}
    return SceneSummary(
        kpis=tuple(kpis),
        county_values={"risk": values} if values else {},
        alerts=_cap(_alerts(state, names), options.max_alerts),
    )
