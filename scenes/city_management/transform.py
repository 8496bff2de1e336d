"""Pure transform of the 城市管理 scene: products -> panel values and the overview summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scenes.base import Alert, Kpi, RenderContext, SceneSummary
from scenes.city_management.maps import core_map, density_map
from scenes.city_management.options import Options
from scenes.city_management.panels import (
    as_of_text,
    categories_panel,
    efficiency_panel,
    overdue_panel,
    parts_panel,
    pct,
    ranking_panel,
    rate_matrix,
    stages_panel,
)
from scenes.city_management.state import CaseState, CityState, build_state, duration_text

SCENE_ID = "city_management"
PARTS = "city_management_parts"
CASES = "city_management_cases"
DRILL = "city_management_drill"


def state_of(products: Mapping[str, Any], options: Options) -> CityState:
    """The scene state from its products."""
    return build_state(products, options, (PARTS, CASES))


def build_view(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> dict[str, Any]:
    """Every declared panel's JSON-ready value; missing products give explicit 暂无数据 states."""
    s = state_of(products, options)
    at = {name: str((products.get(name) or {}).get("now") or "")[11:19] for name in (CASES, DRILL)}
    return {
        "rates": rate_matrix(s.cases),
        # Changes with every read of the counts: the wall shows it is live even when no count moved.
        "asof": as_of_text(at[CASES], at[DRILL]),
        "efficiency": efficiency_panel(s.cases),
        "parts": parts_panel(s.parts),
        "categories": categories_panel(s.cases, options),
        "stages": stages_panel(s.cases),
        "overdue": overdue_panel(s.cases),
        "ranking": ranking_panel(s.cases, options),
        "map": density_map(s.cases, ctx, tuple(options.density_bands)),
        "core_map": core_map(s.cases, ctx, tuple(options.density_bands)),
    }


def _alerts(cases: CaseState, o: Options, names: Mapping[str, str]) -> list[tuple[int, float, Alert]]:  # fmt: skip
    """(level, severity, alert): overdue 突发事件 cases (level 2), departments over the line (3)."""
    out = []
    for e in cases.emergencies:
        late = (cases.now - e.deadline).total_seconds()
        text = (
            f"突发事件 {e.subcategory}（{names.get(e.county, e.county)}，案件 {e.case_id}）"
            f"已超期 {duration_text(late)}，责任部门 {e.department}"
        )
        out.append((2, late, Alert(SCENE_ID, 2, text, f"{e.deadline:%H:%M}")))
    hidden = cases.emergency_total - len(cases.emergencies)
    if hidden > 0:
        out.append((2, 0.0, Alert(SCENE_ID, 2, f"另有 {hidden} 件突发事件案件超期未结")))
    for dept, n in cases.overdue:
        if n >= o.overdue_alert:
            text = f"{dept} 超期未结案件 {n} 件，达到告警线 {o.overdue_alert} 件"
            out.append((3, float(n), Alert(SCENE_ID, 3, text)))
    return out


def _cap(items: list[tuple[int, float, Alert]], limit: int) -> tuple[Alert, ...]:
    """Most severe first; beyond `limit`, one summary line instead of flooding the ticker."""
    items.sort(key=lambda x: (x[0], -x[1], x[2].text))
    kept = [a for _, _, a in items[:limit]]
    if len(items) > limit:
        kept.append(
            Alert(SCENE_ID, 3, f"另有 {len(items) - limit} 条城市管理告警，详见城市管理场景")
        )
    return tuple(kept)


def summarize(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> SceneSummary:
    """按期结案率 (this month), 超期案件, open cases per county, and the alerts."""
    s = state_of(products, options)
    cases = s.cases
    if cases is None:
        return SceneSummary()
    names = dict(ctx.geo.names)
    kpis = []
    month = cases.periods.get("month")
    if month is not None:
        rate = month.rates.get("ontime_closure_rate")
        note = f"按期 {month.counts['closed_ontime']:,}/应结 {month.counts['due']:,}"
        kpis.append(Kpi("ontime_month", "按期结案率·本月", None if rate is None else float(pct(rate)), "%", None, note))  # fmt: skip
    depts = len(cases.overdue)
    kpis.append(Kpi("overdue", "城管超期案件", cases.overdue_total, "件", None, f"涉及 {depts} 个部门" if depts else "当前无超期"))  # fmt: skip
    open_cases = {code: cases.counties.get(code, (0, 0))[0] for code in names}
    for code, (n, _) in cases.counties.items():
        open_cases.setdefault(code, n)
    return SceneSummary(
        kpis=tuple(kpis),
        county_values={"open_cases": open_cases},
        alerts=_cap(_alerts(cases, options, names), options.max_alerts),
    )
