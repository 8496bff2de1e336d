"""Pure transform of the 网格化治理 scene: products -> panel values and the overview summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scenes.base import Alert, Kpi, RenderContext, SceneSummary
from scenes.grid_governance.charts import category_figure, township_variants, trend_figure
from scenes.grid_governance.maps import map_figure
from scenes.grid_governance.options import Options
from scenes.grid_governance.panels import (
    alert_grids,
    counties_panel,
    kpi_panel,
    members_online,
    pct,
    versus,
)
from scenes.grid_governance.state import GovState, build_state

SCENE_ID = "grid_governance"
GRIDS = "grid_governance_grids"
STATS = "grid_governance_stats"
DETAIL = "grid_governance_detail"


def state_of(products: Mapping[str, Any], options: Options) -> GovState:
    """The scene state from its three products."""
    return build_state(products, options, (GRIDS, STATS, DETAIL))


def first_county(names: Mapping[str, str]) -> str | None:
    """The county the township chart shows first: the lowest adcode (the urban district)."""
    return min(names) if names else None


def build_view(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> dict[str, Any]:
    """Every declared panel's JSON-ready value; missing products give explicit 暂无数据 states."""
    s = state_of(products, options)
    names = dict(ctx.geo.names)
    return {
        "kpis": kpi_panel(s, options.open_alert),
        "map": map_figure(s, ctx, options.heat_bands, options.open_alert, options.map_labels),
        "counties": counties_panel(s, names),
        "townships": township_variants(s, names, options.township_rows, first_county(names) or ""),
        "categories": category_figure(s),
        "trend": trend_figure(s),
    }


def _alerts(s: GovState, o: Options, names: Mapping[str, str]) -> list[tuple[int, float, Alert]]:
    """One level-3 alert per grid whose open events reach `open_alert` (short: two ticker lines)."""
    out = []
    for code, n in alert_grids(s, o.open_alert):
        late = f"（超期 {n.overdue}）" if n.overdue else ""
        text = f"{names.get(code[:6], code[:6])} 网格{code} 办理中事件 {n.open} 件{late}，达告警线 {o.open_alert} 件"
        out.append((3, float(n.open), Alert(SCENE_ID, 3, text)))
    return out


def _cap(items: list[tuple[int, float, Alert]], limit: int) -> tuple[Alert, ...]:
    """Most severe first; beyond `limit`, one summary line instead of flooding the ticker."""
    items.sort(key=lambda x: (x[0], -x[1], x[2].text))
    kept = [a for _, _, a in items[:limit]]
    if len(items) > limit:
        kept.append(
            Alert(SCENE_ID, 3, f"另有 {len(items) - limit} 个网格达到告警线，详见网格化治理场景")
        )
    return tuple(kept)


def summarize(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> SceneSummary:
    """KPIs, open grid events per county and alert grids for the overview and the ticker."""
    s = state_of(products, options)
    names = dict(ctx.geo.names)
    kpis = []
    county_values: dict[str, dict[str, int]] = {}
    if s.has_stats:
        city = s.city
        kpis.append(Kpi("open", "网格事件办理中", city.open, "件", None, f"超期 {city.overdue} 件"))
        kpis.append(
            Kpi(
                "today",
                "今日网格上报",
                city.today,
                "件",
                None,
                versus(city.today, s.yesterday_same_time),
            )
        )
        rates = s.rates()
        closure = rates.get("closure_rate")
        note = f"本月 · 按期 {pct(rates.get('ontime_closure_rate'))}%"
        kpis.append(
            Kpi(
                "closure_rate",
                "网格事件结案率",
                None if closure is None else float(closure),
                "%",
                None,
                note,
            )
        )
        by_county = s.by_county()
        county_values["open"] = {
            code: by_county[code].open if code in by_county else 0 for code in names
        }
        for code, n in by_county.items():
            county_values["open"].setdefault(code, n.open)
    online, total = members_online(s)
    if total:
        kpis.append(
            Kpi(
                "members_online",
                "网格员在线",
                online,
                f"/{total}人",
                None,
                f"在线率 {100 * online / total:.0f}%",
            )
        )
    return SceneSummary(
        kpis=tuple(kpis),
        county_values=county_values,
        alerts=_cap(_alerts(s, options, names), options.max_alerts),
    )  # fmt: skip
