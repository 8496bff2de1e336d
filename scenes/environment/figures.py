"""Pure figure builders for the 生态环境 scene: AQI map, rankings and the trend chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from indicators.aqi import AQI_LEVELS, POLLUTANT_LABELS, AqiResult
from indicators.coords import wgs84_to_gcj02_array
from scenes.base import RenderContext
from scenes.environment.air import AirState
from scenes.render import (
    MUTED,
    SERIES,
    TEXT,
    county_choropleth,
    discrete_scale,
    empty_figure,
    figure,
    map_layout,
)

NA_COLOR = "#5b6b7d"  # no published AQI (incomplete data): neutral grey, never a level colour
HALO = "#f2f7fb"
DARK_TEXT = "#08131f"  # labels over 优/良/轻度 fills, which are too light for white text
TICK = {"size": 15}
# The map panel's plot area on the 1920×1080 canvas (env-grid centre column, rows 2-4).
MAP_SIZE = (910, 575)
# AQI is an integer, so the half-point edges keep 50 green and 51 yellow.
AQI_SCALE = discrete_scale(
    [(lv.upper_bound + 0.5 if lv.upper_bound else 500.0, lv.color_hex) for lv in AQI_LEVELS],
    0.0,
    500.0,
)


def color_of(result: AqiResult | None) -> str:
    """Level colour of an AQI result (grey when the AQI is not published)."""
    return result.color_hex if result and result.color_hex else NA_COLOR


def aqi_text(result: AqiResult | None) -> str:
    """'86 良' style text: the category always travels with the colour."""
    if result is None or result.aqi is None:
        return "— 无有效数据"
    return f"{result.aqi} {result.category}"


def primary_text(result: AqiResult | None) -> str:
    """Primary pollutant(s) in display form, '—' when AQI <= 50 or unknown."""
    if result is None or not result.primary_pollutants:
        return "—"
    return "、".join(POLLUTANT_LABELS.get(p, p) for p in result.primary_pollutants)


def short_name(name: str) -> str:
    """Drop the county prefix ("莘县·燕塔" -> "燕塔") for crowded map labels."""
    return name.split("·", 1)[-1]


def _legend() -> list[dict[str, Any]]:
    """Map legend as annotations: colour square plus category and range text."""
    lower, items = 0, []
    for i, lv in enumerate(AQI_LEVELS):
        span = f"{lower}–{lv.upper_bound}" if lv.upper_bound else f">{lower - 1}"
        items.append(
            {
                "text": f"<span style='color:{lv.color_hex}'>■</span> {lv.category} {span}",
                "x": 0.01,
                "y": 0.02 + 0.055 * (len(AQI_LEVELS) - 1 - i),
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "align": "left",
                "font": {"size": 15, "color": TEXT},
                "bgcolor": "rgba(7,24,43,0.75)",
            }
        )
        lower = (lv.upper_bound or 0) + 1
    return items


def _on_light(air: AirState, county: str) -> bool:
    """Whether a county is filled with a light level colour (优/良/轻度), so text goes dark."""
    result = air.counties.get(county, (None, None))[0]
    return bool(result and result.level and result.level <= 3)


def _texts(points: Sequence[tuple[float, float, str, bool]], light: bool) -> go.Scattermap:
    """One label layer; dark text over light fills and white over dark ones (no halo in MapLibre traces)."""
    mine = [p for p in points if p[3] is light]
    return go.Scattermap(
        lon=[p[0] for p in mine],
        lat=[p[1] for p in mine],
        # plotly.js derives an offset label's position from the marker size, which mode="text"
        # leaves undefined (MapLibre then rejects a NaN text-offset): keep invisible markers.
        mode="markers+text",
        marker={"size": 15, "opacity": 0},
        text=[p[2] for p in mine],
        textposition="top right",
        textfont={"size": 15, "color": DARK_TEXT if light else "#ffffff"},
        hoverinfo="skip",
    )


def _county_aqi(air: AirState, code: str) -> str:
    result = air.counties[code][0] if code in air.counties else None
    return str(result.aqi) if result is not None and result.aqi is not None else "无数据"


def map_figure(air: AirState, ctx: RenderContext) -> dict[str, Any]:
    """County fill by county AQI plus station points coloured and labelled by their AQI."""
    if air.hour is None:
        return empty_figure()
    geo = ctx.geo
    values = {c: float(r.aqi) if r.aqi is not None else None for c, (r, _) in air.counties.items()}
    lon, lat = wgs84_to_gcj02_array([s.lon for s in air.stations], [s.lat for s in air.stations])
    lon_l, lat_l = [round(float(x), 5) for x in lon], [round(float(y), 5) for y in lat]
    stations = [
        (
            x,
            y,
            # Only the number: names and categories are in the rankings, labels must not collide.
            f"{s.aqi.aqi if s.aqi and s.aqi.aqi is not None else '—'}",
            _on_light(air, s.county),
        )
        for x, y, s in zip(lon_l, lat_l, air.stations, strict=True)
    ]
    counties = [
        (
            *geo.label_points[c],
            f"{n} {_county_aqi(air, c)}",
            _on_light(air, c),
        )
        for c, n in geo.names.items()
        if c in geo.label_points
    ]
    # Fixed trace order and count, so live updates patch values instead of resending the map.
    traces = [
        county_choropleth(geo, values, colorscale=AQI_SCALE, zmin=0, zmax=500, name="县区AQI"),
        go.Scattermap(
            lon=lon_l,
            lat=lat_l,
            mode="markers",
            marker={"size": 21, "color": HALO},
            hoverinfo="skip",
        ),
        go.Scattermap(
            lon=lon_l,
            lat=lat_l,
            mode="markers",
            marker={"size": 15, "color": [color_of(s.aqi) for s in air.stations]},
            hoverinfo="skip",
        ),
        _texts(stations, True),
        _texts(stations, False),
        _texts(counties, True),
        _texts(counties, False),
    ]
    for layer in traces[-2:]:
        layer.update(mode="text", textposition="middle center", textfont={"size": 17})
    stamp = {
        "text": f"{air.hour:%m-%d %H}时 实时AQI（{len(air.stations)}站）",
        "x": 0.01,
        "y": 0.99,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": 16, "color": TEXT},
        "bgcolor": "rgba(7,24,43,0.75)",
    }
    return figure(
        traces, **map_layout(geo, ctx.map_style, size=MAP_SIZE, annotations=[stamp, *_legend()])
    )


def ranking_figure(
    rows: Sequence[tuple[str, AqiResult | None]], empty_text: str = "暂无数据"
) -> dict[str, Any]:
    """Horizontal bars, best first (top), each with its AQI and category as text."""
    ranked = [(n, r) for n, r in rows if r is not None and r.aqi is not None]
    if not ranked:
        return empty_figure(empty_text)
    labels = [f"{i}. {n}" for i, (n, _) in enumerate(ranked, start=1)]
    top = max(r.aqi or 0 for _, r in ranked)
    bars = go.Bar(
        x=[r.aqi for _, r in ranked],
        y=labels,
        orientation="h",
        marker={"color": [color_of(r) for _, r in ranked], "line": {"width": 0}},
        text=[aqi_text(r) for _, r in ranked],
        textposition="outside",
        textfont={"size": 15, "color": TEXT},
        cliponaxis=False,
        hoverinfo="skip",
    )
    return figure(
        [bars],
        xaxis={"visible": False, "range": [0, top * 1.55 + 5]},
        yaxis={
            "autorange": "reversed",
            "tickfont": TICK,
            "automargin": True,
            "gridcolor": "rgba(0,0,0,0)",
        },
        margin={"l": 8, "r": 8, "t": 4, "b": 4},
        bargap=0.28,
    )


def station_ranking(air: AirState, size: int) -> dict[str, Any]:
    """Best-to-worst station ranking, first `size` stations."""
    rows = sorted(
        ((s.name, s.aqi) for s in air.stations if s.aqi and s.aqi.aqi is not None),
        key=lambda x: (x[1].aqi, x[0]),
    )
    # Readings without a station table (reference data not loaded yet) say so instead of 暂无数据.
    return ranking_figure(
        rows[:size], "暂无数据" if air.stations or air.hour is None else "暂无站点信息"
    )


def trend_figure(air: AirState) -> dict[str, Any]:
    """City hourly AQI (bars in level colours) with PM2.5 and O3 means on a second axis."""
    if not air.series:
        return empty_figure()
    xs = [ts for ts, _, _ in air.series]
    step_h = max(1, -(-len(xs) // 6))  # whole hours between ticks: never two "00时" labels
    traces = [
        go.Bar(
            x=xs,
            y=[r.aqi for _, r, _ in air.series],
            marker={"color": [color_of(r) for _, r, _ in air.series]},
            name="AQI",
            hoverinfo="skip",
            opacity=0.85,
        ),
        go.Scatter(
            x=xs,
            y=[v.get("pm25") for _, _, v in air.series],
            name="PM2.5",
            yaxis="y2",
            mode="lines",
            line={"color": SERIES[0], "width": 3},
            hoverinfo="skip",
        ),
        go.Scatter(
            x=xs,
            y=[v.get("o3") for _, _, v in air.series],
            name="O₃",
            yaxis="y2",
            mode="lines",
            line={"color": SERIES[2], "width": 3, "dash": "dot"},
            hoverinfo="skip",
        ),
    ]
    return figure(
        traces,
        showlegend=True,
        legend={"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom", "font": {"size": 15}},
        xaxis={
            "tickformat": "%H时",
            "dtick": step_h * 3_600_000,
            "tickfont": TICK,
            "gridcolor": "rgba(0,0,0,0)",
        },
        yaxis={
            "title": {"text": "AQI", "font": {"size": 15, "color": MUTED}},
            "tickfont": TICK,
            "rangemode": "tozero",
        },
        yaxis2={
            "title": {"text": "µg/m³", "font": {"size": 15, "color": MUTED}},
            "tickfont": TICK,
            "overlaying": "y",
            "tickmode": "auto",
            "nticks": 6,
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
        },
        margin={"l": 56, "r": 60, "t": 36, "b": 36},
        bargap=0.15,
    )
