"""Pure transform of the 交通运行 scene: products -> panel values and the overview summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from indicators.traffic import GRADE_COLORS
from scenes.base import Alert, Kpi, RenderContext, SceneSummary
from scenes.traffic.figures import ranking_figure, road_variants, share_figure, tpi_curve
from scenes.traffic.mapfig import map_figure
from scenes.traffic.network import TrafficState, build_state, kind_counts
from scenes.traffic.options import Options
from scenes.traffic.panels import incident_panel, kpi_panel

NET = "traffic_net"
LIVE = "traffic_live"
SCENE_ID = "traffic"
ALERT_KINDS = ("accident", "closure")


def state_of(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> TrafficState:
    """Both products aggregated once with the configured scope, bands and congested grades."""
    return build_state(
        products.get(NET),
        products.get(LIVE),
        bands=options.tpi_dtp_edges,
        scope=options.network,
        congested=options.congested_grades,
        now=ctx.now,
    )


def build_view(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> dict[str, Any]:
    """Every declared panel's JSON-ready value; missing products give explicit 暂无数据 states."""
    state = state_of(products, options, ctx)
    return {
        "kpis": kpi_panel(state, ctx.now, options.congested_grades, options.network),
        "map": map_figure(state, ctx, options),
        "curve": tpi_curve(state, ctx.now),
        "shares": share_figure(state),
        "ranking": ranking_figure(state, options.ranking_size),
        "incidents": incident_panel(state, options.incident_rows),
        "road_speed": road_variants(state, ctx.now),
    }


def _alerts(state: TrafficState, options: Options) -> list[tuple[int, float, Alert]]:
    out = []
    net = state.network
    at = f"{state.as_of:%H:%M}" if state.as_of else ""
    if net is not None and net.tpi >= options.tpi_alert:
        level = 2 if net.tpi >= options.tpi_severe_alert else 3
        text = f"全市路网交通运行指数 {net.tpi:.1f}（{net.level}），拥堵里程占比 {100 * net.congested:.0f}%"
        out.append((level, float("inf"), Alert(SCENE_ID, level, text, at)))  # network first
    for inc in state.incidents:
        if inc.active and inc.kind in ALERT_KINDS:
            what = "发生交通事故" if inc.kind == "accident" else "道路封闭"
            text = f"{inc.road} {what}（{inc.start:%H:%M}起），{inc.description.split(' ', 1)[-1]}"
            out.append((3, inc.start.timestamp(), Alert(SCENE_ID, 3, text, f"{inc.start:%H:%M}")))
    return out


def _cap(items: list[tuple[int, float, Alert]], limit: int, at: str) -> tuple[Alert, ...]:
    """Most severe (then most recent) first; beyond `limit`, one summary line."""
    items.sort(key=lambda x: (x[0], -x[1], x[2].text))
    kept = [a for _, _, a in items[:limit]]
    if len(items) > limit:
        kept.append(
            Alert(SCENE_ID, 3, f"另有 {len(items) - limit} 条交通告警，详见交通运行场景", at)
        )
    return tuple(kept)


def summarize(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> SceneSummary:
    """KPIs (TPI with level colour, congested share, incidents), county TPI, and alerts."""
    state = state_of(products, options, ctx)
    kpis = []
    net = state.network
    if net is not None:
        kpis.append(Kpi("tpi", "交通运行指数", net.tpi, "", GRADE_COLORS[net.level], net.level))
        share = round(100 * net.congested, 1)
        kpis.append(
            Kpi("congested", "拥堵里程占比", share, "%", None, "+".join(options.congested_grades))
        )
    if state.segments:
        counts = kind_counts(state.incidents)
        note = " ".join(f"{k}{v}" for k, v in counts.items())
        kpis.append(Kpi("incidents", "当前交通事件", sum(counts.values()), "起", None, note))
    county_values = (
        {"tpi": {c: idx.tpi for c, idx in state.counties.items()}} if state.counties else {}
    )
    at = f"{state.as_of:%H:%M}" if state.as_of else ""
    alerts = _cap(_alerts(state, options), options.max_alerts, at)
    return SceneSummary(kpis=tuple(kpis), county_values=county_values, alerts=alerts)
