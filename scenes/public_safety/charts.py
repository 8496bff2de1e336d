"""Pure chart figures of the 公共安全 scene: categories, hourly and daily trends, cameras."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from scenes.public_safety.state import AlarmState, CameraRow
from scenes.render import GRID, MUTED, SERIES, TEXT, empty_figure, figure

TICK = {"size": 15}
# One colour per category, in ALARM_CATEGORIES order; 刑事 is not red (red is for alarms).
CATEGORY_COLORS = {
    "刑事": "#b79cff",
    "治安": "#3fd0ff",
    "交通": "#ffd36e",
    "纠纷": "#7ee0b4",
    "求助": "#6ea8ff",
    "火灾": "#ff9f6e",
    "其他": "#8fa9c4",
}
LOW = "#ffb443"  # a county below the camera alert rate: warning amber, with the rate in text


def category_figure(alarms: AlarmState | None) -> dict[str, Any]:
    """Today's alarms per category: bars with the count (and share) written on each."""
    if alarms is None or not alarms.today:
        return empty_figure("今日暂无警情" if alarms else "暂无数据")
    cats = [c for c, _ in alarms.by_category]
    counts = [n for _, n in alarms.by_category]
    top = max(counts) or 1
    bars = go.Bar(
        x=cats,
        y=counts,
        marker={"color": [CATEGORY_COLORS.get(c, SERIES[0]) for c in cats]},
        text=[f"{n}" for n in counts],
        textposition="outside",
        textfont={"size": 16, "color": TEXT},
        cliponaxis=False,
        hoverinfo="skip",
    )
    return figure(
        [bars],
        xaxis={"tickfont": {"size": 16}, "gridcolor": "rgba(0,0,0,0)"},
        yaxis={"visible": False, "range": [0, top * 1.3]},
        margin={"l": 8, "r": 8, "t": 8, "b": 30},
        bargap=0.3,
    )


def hourly_figure(alarms: AlarmState | None) -> dict[str, Any]:
    """Alarms per hour: today so far (solid) against yesterday (dotted)."""
    if alarms is None:
        return empty_figure()
    hours = list(range(24))
    traces = [
        go.Scatter(
            x=hours,
            y=list(alarms.yesterday_hours),
            name="昨日",
            mode="lines",
            line={"color": MUTED, "width": 2.5, "dash": "dot"},
            hoverinfo="skip",
        ),  # fmt: skip
        go.Scatter(
            x=hours[: len(alarms.today_hours)],
            y=list(alarms.today_hours),
            name="今日",
            mode="lines+markers",
            line={"color": SERIES[0], "width": 3.5},
            marker={"size": 6},
            hoverinfo="skip",
        ),  # fmt: skip
    ]
    return figure(
        traces,
        showlegend=True,
        legend={"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom", "font": {"size": 15}},
        xaxis={
            "tickvals": list(range(0, 24, 3)),
            "ticktext": [f"{h}时" for h in range(0, 24, 3)],
            "tickfont": TICK,
            "range": [-0.5, 23.5],
            "gridcolor": "rgba(0,0,0,0)",
        },  # fmt: skip
        yaxis={
            "tickfont": TICK,
            "rangemode": "tozero",
            "gridcolor": GRID,
            "title": {"text": "起", "font": {"size": 15, "color": MUTED}},
        },  # fmt: skip
        margin={"l": 48, "r": 12, "t": 34, "b": 30},
    )


def daily_figure(alarms: AlarmState | None) -> dict[str, Any]:
    """The last 7 days, bars stacked by category, with each day's total on top."""
    if alarms is None:
        return empty_figure()
    x = [f"{d.month}/{d.day}" for d in alarms.days]
    totals = [sum(v[i] for v in alarms.daily.values()) for i in range(len(x))]
    if not any(totals):
        return empty_figure("近7日暂无警情")
    traces: list[Any] = [
        go.Bar(
            x=x,
            y=list(v),
            name=c,
            marker={"color": CATEGORY_COLORS.get(c, SERIES[0])},
            hoverinfo="skip",
        )  # fmt: skip
        for c, v in alarms.daily.items()
    ]
    traces.append(go.Scatter(x=x, y=totals, mode="text", text=[str(t) for t in totals], textposition="top center", textfont={"size": 15, "color": TEXT}, hoverinfo="skip", showlegend=False, cliponaxis=False))  # fmt: skip
    return figure(
        traces,
        barmode="stack",
        showlegend=True,
        legend={
            "orientation": "h",
            "y": 1.02,
            "x": 0,
            "yanchor": "bottom",
            "font": {"size": 14},
            "traceorder": "normal",
        },  # fmt: skip
        xaxis={"tickfont": TICK, "gridcolor": "rgba(0,0,0,0)", "type": "category"},
        yaxis={"visible": False, "range": [0, max(totals) * 1.22]},
        margin={"l": 8, "r": 8, "t": 34, "b": 28},
        bargap=0.3,
    )


def camera_figure(
    cams: tuple[CameraRow, ...], names: Mapping[str, str], alert_below: float
) -> dict[str, Any]:
    """Online rate per county, lowest first, the rate and online/total cameras written on each bar."""
    rows = sorted((c for c in cams if c.rate is not None), key=lambda c: (c.rate, c.county))
    if not rows:
        return empty_figure()
    # The rate goes into the axis label (full-size text), not inside thin bars where plotly shrinks it.
    labels = [f"{names.get(c.county, c.county)} {c.rate:.1f}%" for c in rows]
    lo = min(50.0, min(c.rate or 0 for c in rows) - 5)
    bars = go.Bar(
        x=[c.rate for c in rows],
        y=labels,
        orientation="h",
        marker={"color": [LOW if (c.rate or 0) < alert_below else SERIES[0] for c in rows]},
        hoverinfo="skip",
    )
    return figure(
        [bars],
        xaxis={
            "range": [lo, 100],
            "tickfont": {"size": 14},
            "ticksuffix": "%",
            "gridcolor": GRID,
            "dtick": 10,
        },
        yaxis={"tickfont": TICK, "automargin": True, "gridcolor": "rgba(0,0,0,0)"},
        margin={"l": 8, "r": 12, "t": 4, "b": 26},
        bargap=0.22,
    )
