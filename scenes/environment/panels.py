"""Pure HTML panels for the 生态环境 scene: KPI tiles, county ranking and GB 3095 exceedances."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import html

from indicators.aqi import AqiResult
from scenes.environment.air import AirState
from scenes.environment.figures import color_of, primary_text
from scenes.environment.water import SectionRow
from scenes.render import EMPTY_TEXT, to_jsonable

LIMIT_LABELS = {
    "so2_24h": "SO₂ 日均",
    "no2_24h": "NO₂ 日均",
    "co_24h": "CO 日均",
    "pm10_24h": "PM10 日均",
    "pm25_24h": "PM2.5 日均",
    "so2_1h": "SO₂ 1小时",
    "no2_1h": "NO₂ 1小时",
    "co_1h": "CO 1小时",
    "o3_1h": "O₃ 1小时",
    "o3_8h_max": "O₃ 8小时",
}
# Grid templates only (allowed inline by the brief); colours and sizes live in assets/.
# The city tile is widest; PM2.5 needs room for three digits and its unit (winter values).
KPI_GRID = {
    "gridTemplateColumns": "minmax(0, 1.75fr) minmax(0, 1.4fr) minmax(0, 1fr) minmax(0, 1.25fr) minmax(0, 0.95fr)"
}
WIDE: dict[str, str] = {}
TWO_COLUMNS = {
    "display": "grid",
    "gridTemplateColumns": "minmax(0, 1fr) minmax(0, 1fr)",
    "columnGap": "14px",
}
RANK_ROW = {
    "display": "grid",
    "gridTemplateColumns": "12px 20px minmax(0, 1fr) 30px auto",
    "alignItems": "baseline",
    "columnGap": "4px",
}


def empty_panel(text: str = EMPTY_TEXT, ok: bool = False) -> Any:
    """The explicit no-data (or all-clear) state of an HTML panel."""
    return to_jsonable(html.Div(text, className="empty-state ok" if ok else "empty-state"))


def chip(color: str) -> html.Span:
    """A level colour dot; the colour is data (HJ 633 palette from indicators), set per value."""
    return html.Span(className="kpi-chip", style={"background": color})


def tile(
    label: str,
    value: Any,
    unit: str = "",
    notes: Sequence[str] = (),
    color: str | None = None,
    wide: bool = False,
) -> html.Div:
    """A KPI tile: label, big value with unit (and level chip), then note lines."""
    main = ([chip(color)] if color else []) + [
        html.Span(value, className="kpi-value"),
        html.Span(unit, className="kpi-unit"),
    ]
    children = [html.Div(label, className="kpi-label"), html.Div(main, className="kpi-main")]
    children += [html.Div(n, className="kpi-note") for n in notes]
    # Grid placement inline (the brief allows grid templates inline); looks stay in CSS.
    return html.Div(
        children, className="kpi kpi-wide" if wide else "kpi", style=WIDE if wide else None
    )


def trend_arrow(now: float | None, before: float | None) -> str:
    """'较昨日同时 ↑12' in words and arrow, so the trend never relies on colour."""
    if now is None or before is None:
        return "较昨日同时 —"
    delta = round(now) - round(before)
    if delta == 0:
        return "较昨日同时 持平"
    return f"较昨日同时 {'↑' if delta > 0 else '↓'}{abs(delta)}"


def _aqi(result: AqiResult | None) -> int | None:
    return result.aqi if result is not None else None


def _air_tiles(air: AirState, daily_min_hours: int) -> list[html.Div]:
    """City AQI (wide: level, category, primary, trend), PM2.5, 优良站点 and today's AQI."""
    city, past = air.city, air.yesterday
    if air.hour is None or city is None:
        return [tile("城市实时AQI", "—", "", ("暂无空气数据",), wide=True)]
    published = city.aqi is not None
    level = (
        f"{city.level_name} · 首要污染物 {primary_text(city)}"
        if published
        else "数据不足，AQI 不发布"
    )
    arrow = trend_arrow(city.aqi, _aqi(past[0]) if past else None)
    tiles = [
        tile(
            f"城市实时AQI · {air.hour:%H}时",
            city.aqi if published else "NA",
            city.category or "",
            (level, arrow),
            color_of(city),
            wide=True,
        )
    ]
    pm, pm_past = air.city_values.get("pm25"), past[1].get("pm25") if past else None
    tiles.append(
        tile(
            "PM2.5",
            "—" if pm is None else f"{pm:.0f}",
            "µg/m³",
            (trend_arrow(pm, pm_past),),
        )
    )
    rated = [s for s in air.stations if s.aqi and s.aqi.aqi is not None]
    good = sum(1 for s in rated if (s.aqi.aqi or 0) <= 100)
    rate = f"优良率 {100 * good / len(rated):.0f}%" if rated else "无有效数据"
    tiles.append(
        tile("优良站点", good if rated else "—", f"/{len(rated)}站" if rated else "", (rate,))
    )
    today = air.today
    ok = today is not None and today.aqi is not None
    hours = f"{air.today_hours}小时" + ("" if air.today_hours >= daily_min_hours else " · 临时值")
    category = (today.category or "") if ok else "数据不足"
    tiles.append(
        tile(
            "今日AQI",
            today.aqi if ok else "NA",
            "",
            (category, hours),
            color_of(today) if ok else None,
        )
    )
    return tiles


def kpi_panel(air: AirState, water: list[SectionRow], daily_min_hours: int) -> Any:
    """Headline tiles: city AQI (level, category, primary), PM2.5, 优良站点, today's AQI, water."""
    if air.hour is None and not water:
        return empty_panel()
    rated = [r for r in water if r.meets is not None]
    met = sum(1 for r in rated if r.meets)
    note = f"达标率 {100 * met / len(rated):.0f}%" if rated else "暂无水质数据"
    water_tile = tile(
        "水质达标断面", met if rated else "—", f"/{len(rated)}" if rated else "", (note,)
    )
    return to_jsonable(
        html.Div(
            [*_air_tiles(air, daily_min_hours), water_tile], className="kpi-grid", style=KPI_GRID
        )
    )


def county_rank_panel(air: AirState, names: dict[str, str]) -> Any:
    """Counties best to worst by county AQI, two columns of rows: rank, chip, name, AQI, category."""
    ranked = sorted(
        ((names.get(c, c), r) for c, (r, _) in air.counties.items() if r.aqi is not None),
        key=lambda x: (x[1].aqi or 0, x[0]),
    )
    if not ranked:
        return empty_panel()
    rows = [
        html.Div(
            [
                html.Span(i, className="num rank-no"),
                chip(color_of(r)),
                html.Span(n, className="rank-name"),
                html.Span(r.aqi, className="num"),
                html.Span(r.category),
            ],
            className="rank-row",
            style=RANK_ROW,
        )
        for i, (n, r) in enumerate(ranked, start=1)
    ]
    half = (len(rows) + 1) // 2
    columns = [html.Div(part, className="rank-col") for part in (rows[:half], rows[half:]) if part]
    return to_jsonable(html.Div(columns, className="rank-cols", style=TWO_COLUMNS))


def exceedance_panel(air: AirState, rows_max: int, grade: int, daily_min_hours: int) -> Any:
    """Today's GB 3095-2026 exceedances per station and indicator, highest ratio first."""
    if air.hour is None:
        return empty_panel()
    if air.exceed is None:
        return empty_panel(f"{air.hour:%Y-%m-%d} GB 3095-2026 尚未实施")
    partial = "" if air.today_hours >= daily_min_hours else f"，日均为{air.today_hours}小时累计"
    ranked = sorted(air.exceed, key=lambda se: (-se[1].ratio, se[0].name))
    more = f"；另有 {len(ranked) - rows_max} 项" if len(ranked) > rows_max else ""
    foot = html.Div(
        f"{'一级' if grade == 1 else '二级'}限值{partial}{more}", className="panel-note"
    )
    if not ranked:
        return to_jsonable(
            html.Div(
                [html.Div(f"今日暂无超标（截至{air.hour:%H}时）", className="empty-state ok"), foot]
            )
        )
    head = html.Tr([html.Th(t) for t in ("站点", "指标", "浓度", "限值", "倍数")])
    body = []
    for station, e in ranked[:rows_max]:
        fmt = "{:.1f}" if e.key.startswith("co") else "{:.0f}"
        cells = [
            html.Td(station.name),
            html.Td(LIMIT_LABELS.get(e.key, e.key)),
            html.Td(fmt.format(e.value), className="num"),
            html.Td(fmt.format(e.limit), className="num"),
            html.Td(f"{e.ratio:.2f}", className="num"),
        ]
        body.append(html.Tr(cells))
    return to_jsonable(
        html.Div([html.Table([html.Thead(head), html.Tbody(body)], className="wall-table"), foot])
    )
