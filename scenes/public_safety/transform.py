"""Pure transform of the 公共安全 scene: products -> panel values and the overview summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scenes.base import Alert, Kpi, RenderContext, SceneSummary
from scenes.public_safety.charts import (
    camera_figure,
    category_figure,
    daily_figure,
    hourly_figure,
)
from scenes.public_safety.maps import city_map, core_map
from scenes.public_safety.options import Options
from scenes.public_safety.panels import areas_panel, kpi_panel, versus
from scenes.public_safety.state import SafetyState, build_state, city_online

SCENE_ID = "public_safety"
ALARMS = "public_safety_alarm_stats"
AREAS = "public_safety_area_load"
STATUS = "public_safety_status"


def _state(products: Mapping[str, Any], options: Options) -> SafetyState:
    return build_state(products, options, (ALARMS, AREAS, STATUS))


def build_view(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> dict[str, Any]:
    """Every declared panel's JSON-ready value; missing products give explicit 暂无数据 states."""
    s = _state(products, options)
    names = dict(ctx.geo.names)
    edges = tuple(options.density_bands)
    return {
        "kpis": kpi_panel(s),
        "map": city_map(s.alarms, s.areas, ctx, edges),
        "core_map": core_map(s.alarms, s.areas, ctx, edges),
        "categories": category_figure(s.alarms),
        "hourly": hourly_figure(s.alarms),
        "daily": daily_figure(s.alarms),
        "areas": areas_panel(s, options.area_rows),
        "cameras": camera_figure(s.cameras, names, options.camera_alert_below),
    }


def _alerts(s: SafetyState, o: Options, names: Mapping[str, str]) -> list[tuple[int, float, Alert]]:
    """(level, severity, alert) for crowds over threshold, alarm spikes and camera outages."""
    out = []
    for r in s.areas:
        if r.load is None or r.load.alert_level is None:
            continue
        at = f"{r.ts:%H:%M}" if r.ts else ""
        limit = o.over_ratio if r.load.alert_level == 2 else o.warn_ratio
        text = (
            f"{names.get(r.county, '')}{r.name} 客流 {r.load.count:,} 人，核定容量 {r.load.capacity:,} 人，"
            f"负载 {r.load.percent}%，{'超过' if r.load.alert_level == 2 else '达到'}{r.load.status}线 {limit:.0%}"
        )
        out.append(
            (r.load.alert_level, r.load.ratio, Alert(SCENE_ID, r.load.alert_level, text, at))
        )
    if s.alarms is not None:
        for hour, spike, county in s.alarms.spikes:
            where = f"，主要在{names.get(county, county)}" if county else ""
            text = (
                f"全市 {hour}时 警情 {spike.count} 起，为前{o.spike_days}日同时段均值 "
                f"{spike.baseline:.1f} 起的 {min(spike.factor, 99):.1f} 倍{where}"
            )
            out.append((3, spike.factor, Alert(SCENE_ID, 3, text, f"{hour:02d}:00")))
    for c in s.cameras:
        if c.rate is not None and c.rate < o.camera_alert_below:
            text = (
                f"{names.get(c.county, c.county)} 视频在线率 {c.rate:.1f}%（在线 {c.online:,}/{c.total:,} 路），"
                f"低于 {o.camera_alert_below:g}%"
            )
            out.append((3, 100 - c.rate, Alert(SCENE_ID, 3, text)))
    return out


def _cap(items: list[tuple[int, float, Alert]], limit: int) -> tuple[Alert, ...]:
    """Most severe first; beyond `limit`, one summary line instead of flooding the ticker."""
    items.sort(key=lambda x: (x[0], -x[1], x[2].text))
    kept = [a for _, _, a in items[:limit]]
    if len(items) > limit:
        kept.append(
            Alert(SCENE_ID, 3, f"另有 {len(items) - limit} 条公共安全告警，详见公共安全场景")
        )
    return tuple(kept)


def summarize(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> SceneSummary:
    """KPIs, today's alarms per county and alerts for the overview and the ticker."""
    s = _state(products, options)
    names = dict(ctx.geo.names)
    kpis = []
    if s.alarms is not None:
        a = s.alarms
        kpis.append(
            Kpi(
                "alarms_today",
                "今日警情",
                a.today,
                "起",
                None,
                versus(a.today, a.yesterday_same_time),
            )
        )
    loaded = [r for r in s.areas if r.load]
    if loaded:
        over = [r for r in loaded if r.load and r.load.alert_level is not None]
        worst = loaded[0]
        note = f"最高 {worst.name} {worst.load.percent}%" if worst.load else ""
        kpis.append(Kpi("areas_over", "重点区域超阈", len(over), f"/{len(loaded)}处", None, note))
    rate, online, total = city_online(s.cameras)
    if rate is not None:
        kpis.append(
            Kpi(
                "camera_online",
                "视频在线率",
                round(rate, 1),
                "%",
                None,
                f"在线 {online:,}/{total:,} 路",
            )
        )
    county_values = {"alarms": dict(s.alarms.by_county)} if s.alarms is not None else {}
    if s.alarms is not None:
        for code in names:
            county_values["alarms"].setdefault(code, 0)
    return SceneSummary(
        kpis=tuple(kpis),
        county_values=county_values,
        alerts=_cap(_alerts(s, options, names), options.max_alerts),
    )
