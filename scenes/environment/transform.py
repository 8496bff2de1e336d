"""Pure transform of the 生态环境 scene: products -> panel values and the overview summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from indicators.water import class_label
from scenes.base import Alert, Kpi, RenderContext, SceneSummary
from scenes.environment.air import AirState, build_air
from scenes.environment.figures import (
    aqi_text,
    map_figure,
    primary_text,
    station_ranking,
    trend_figure,
)
from scenes.environment.options import Options
from scenes.environment.panels import county_rank_panel, exceedance_panel, kpi_panel
from scenes.environment.water import SectionRow, build_water, limiting_text, water_panel

AIR = "env_air"
WATER = "env_water"
SCENE_ID = "environment"


def _air(products: Mapping[str, Any], options: Options) -> AirState:
    return build_air(
        products.get(AIR),
        standard=options.aqi_standard,
        trend_hours=options.trend_hours,
        grade=options.gb3095_grade,
    )


def build_view(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> dict[str, Any]:
    """Every declared panel's JSON-ready value; missing products give explicit 暂无数据 states."""
    air = _air(products, options)
    water = build_water(products.get(WATER))
    return {
        "kpis": kpi_panel(air, water, options.daily_min_hours),
        "map": map_figure(air, ctx),
        "trend": trend_figure(air),
        "station_rank": station_ranking(air, options.ranking_size),
        "county_rank": county_rank_panel(air, dict(ctx.geo.names)),
        "exceedances": exceedance_panel(
            air, options.exceedance_rows, options.gb3095_grade, options.daily_min_hours
        ),
        "water": water_panel(water),
    }


def _air_alerts(air: AirState, options: Options) -> list[tuple[int, float, Alert]]:
    """Station alerts as (level, severity, alert); AQI first, PM2.5 only when AQI did not fire."""
    at = f"{air.hour:%H:%M}" if air.hour else ""
    out = []
    for s in air.stations:
        aqi = s.aqi.aqi if s.aqi else None
        if aqi is not None and aqi > options.aqi_alert:
            level = 2 if aqi > options.aqi_severe_alert else 3
            text = f"{s.name} AQI {aqi} {s.aqi.category}（首要污染物 {primary_text(s.aqi)}）"
            out.append((level, float(aqi), Alert(SCENE_ID, level, text, at)))
            continue
        pm25 = (s.values or {}).get("pm25")
        if pm25 is not None and pm25 > options.pm25_alert:
            text = f"{s.name} PM2.5 小时浓度 {pm25:.0f} µg/m³，超过预警值 {options.pm25_alert:g}"
            out.append((3, float(pm25), Alert(SCENE_ID, 3, text, at)))
    return out


def _water_alerts(rows: list[SectionRow]) -> list[tuple[int, float, Alert]]:
    out = []
    for r in rows:
        if r.meets is False and r.water_class is not None:
            text = f"{r.name} 断面水质 {class_label(r.water_class)}，未达 {class_label(r.target)} 目标（超标因子 {limiting_text(r)}）"
            out.append((3, float(r.water_class), Alert(SCENE_ID, 3, text, r.ts[-5:])))
    return out


def _cap(items: list[tuple[int, float, Alert]], limit: int, at: str) -> tuple[Alert, ...]:
    """Most severe first; beyond `limit`, one summary line instead of flooding the ticker."""
    items.sort(key=lambda x: (x[0], -x[1], x[2].text))
    kept = [a for _, _, a in items[:limit]]
    if len(items) > limit:
        kept.append(
            Alert(SCENE_ID, 3, f"另有 {len(items) - limit} 条生态环境告警，详见生态环境场景", at)
        )
    return tuple(kept)


def summarize(products: Mapping[str, Any], options: Options, ctx: RenderContext) -> SceneSummary:
    """KPIs, per-county AQI/PM2.5 and threshold alerts for the overview and the ticker."""
    air = _air(products, options)
    water = build_water(products.get(WATER))
    city = air.city
    kpis = []
    if air.hour is not None and city is not None:
        kpis.append(
            Kpi(
                "aqi",
                "城市AQI",
                city.aqi,
                "",
                city.color_hex,
                f"{aqi_text(city)} · 首要污染物 {primary_text(city)}",
            )
        )
        pm = air.city_values.get("pm25")
        kpis.append(Kpi("pm25", "PM2.5", round(pm) if pm is not None else None, "µg/m³"))
        rated = [s for s in air.stations if s.aqi and s.aqi.aqi is not None]
        good = sum(1 for s in rated if (s.aqi.aqi or 0) <= 100)
        kpis.append(
            Kpi(
                "good_rate",
                "优良站点比例",
                round(100 * good / len(rated)) if rated else None,
                "%",
                None,
                f"{good}/{len(rated)}站",
            )
        )
    rated_w = [r for r in water if r.meets is not None]
    if rated_w:
        met = sum(1 for r in rated_w if r.meets)
        kpis.append(
            Kpi(
                "water_rate",
                "水质达标率",
                round(100 * met / len(rated_w)),
                "%",
                None,
                f"{met}/{len(rated_w)}断面",
            )
        )
    county_values = {
        "aqi": {c: r.aqi for c, (r, _) in air.counties.items()},
        "pm25": {
            c: round(v["pm25"]) if v.get("pm25") is not None else None
            for c, (_, v) in air.counties.items()
        },
    }
    items = _air_alerts(air, options) + (_water_alerts(water) if options.water_alert else [])
    at = f"{air.hour:%H:%M}" if air.hour else ""
    return SceneSummary(
        kpis=tuple(kpis), county_values=county_values, alerts=_cap(items, options.max_alerts, at)
    )
