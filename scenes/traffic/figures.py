"""Pure charts of the 交通运行 scene: TPI day curve, grade mileage shares, road ranking, speed curves."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import plotly.graph_objects as go

from indicators.traffic import GRADE_COLORS, GRADES
from scenes.render import ACCENT, GRID, MUTED, TEXT, base_layout, empty_figure, figure
from scenes.traffic.network import TrafficState

TICK = {"size": 15}
WEEKDAYS = "一二三四五六日"
HINT = "点击道路查看速度曲线"
DEFAULT_VARIANT = "_default"  # wall.live.DEFAULT_VARIANT (kept literal: transform stays pure)


def _day_axis(day: datetime) -> dict[str, Any]:
    return {
        "range": [day, day + timedelta(hours=24)],
        "tickformat": "%H时",
        "dtick": 4 * 3_600_000,
        "tickfont": TICK,
        "gridcolor": "rgba(0,0,0,0)",
    }


def tpi_curve(state: TrafficState, now: datetime) -> dict[str, Any]:
    """Today's 5-min TPI against the same weekday last week, over the five level bands."""
    if not state.today and not state.last_week:
        return empty_figure()
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    shapes = [
        {
            "type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 2 * i,
            "y1": 2 * i + 2, "fillcolor": GRADE_COLORS[g], "opacity": 0.07, "line": {"width": 0},
            "layer": "below",
        }
        for i, g in enumerate(GRADES)
    ]  # fmt: skip
    labels = [
        {
            "text": g, "xref": "paper", "x": 1.0, "xanchor": "left", "y": 2 * i + 1,
            "yref": "y", "showarrow": False, "font": {"size": 14, "color": MUTED},
        }
        for i, g in enumerate(GRADES)
    ]  # fmt: skip
    last = day - timedelta(days=7)
    traces = [
        go.Scatter(
            x=[t for t, _ in state.last_week],
            y=[v for _, v in state.last_week],
            name=f"上周{WEEKDAYS[last.weekday()]}（{last:%m-%d}）",
            mode="lines",
            line={"color": MUTED, "width": 2, "dash": "dot"},
            hoverinfo="skip",
        ),
        go.Scatter(
            x=[t for t, _ in state.today],
            y=[v for _, v in state.today],
            name="今日",
            mode="lines",
            line={"color": ACCENT, "width": 3},
            hoverinfo="skip",
        ),
    ]
    return figure(
        traces,
        showlegend=True,
        legend={"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom", "font": {"size": 15}},
        xaxis=_day_axis(day),
        yaxis={
            "range": [0, 10],
            "tickvals": [0, 2, 4, 6, 8, 10],
            "tickfont": TICK,
            "gridcolor": GRID,
            "zeroline": False,
        },
        shapes=shapes,
        annotations=labels,
        margin={"l": 36, "r": 78, "t": 34, "b": 32},
    )


def share_figure(state: TrafficState) -> dict[str, Any]:
    """Mileage share per grade (§7.2.2.3) as bars named by grade, with the % as text."""
    net = state.network
    if net is None:
        return empty_figure()
    values = [round(100 * net.shares[g], 1) for g in GRADES]
    bars = go.Bar(
        x=list(GRADES),
        y=values,
        marker={"color": [GRADE_COLORS[g] for g in GRADES], "line": {"width": 0}},
        text=[f"{v:.1f}%" for v in values],
        textposition="outside",
        textfont={"size": 15, "color": TEXT},
        cliponaxis=False,
        hoverinfo="skip",
    )
    return figure(
        [bars],
        xaxis={"tickfont": TICK, "gridcolor": "rgba(0,0,0,0)"},
        yaxis={"visible": False, "range": [0, max(values) * 1.3 + 1]},
        margin={"l": 8, "r": 8, "t": 8, "b": 30},
        bargap=0.3,
    )


def ranking_figure(state: TrafficState, size: int) -> dict[str, Any]:
    """The most congested roads (mileage-weighted DTP -> TPI), worst on top, level in words."""
    ranked = state.roads[:size]
    if not ranked:
        return empty_figure()
    labels = [f"{i}. {r.road}" for i, r in enumerate(ranked, start=1)]
    bars = go.Bar(
        x=[r.index.tpi for r in ranked],
        y=labels,
        orientation="h",
        marker={"color": [GRADE_COLORS[r.index.level] for r in ranked], "line": {"width": 0}},
        text=[f"{r.index.tpi:.1f} {r.index.level} · {r.index.speed_kmh:.0f}km/h" for r in ranked],
        textposition="outside",
        textfont={"size": 15, "color": TEXT},
        cliponaxis=False,
        hoverinfo="skip",
    )
    return figure(
        [bars],
        xaxis={"visible": False, "range": [0, max(r.index.tpi for r in ranked) * 1.9 + 0.6]},
        yaxis={"autorange": "reversed", "tickfont": TICK, "automargin": True, "gridcolor": "rgba(0,0,0,0)"},
        margin={"l": 8, "r": 8, "t": 4, "b": 4},
        bargap=0.3,
    )  # fmt: skip


def road_curve(state: TrafficState, road: str, now: datetime, title: str) -> dict[str, Any]:
    """One road's mileage-weighted average speed today, with its free-flow speed as a line.

    A plain dict (no plotly template): one per road goes into the view, so each must be small.
    """
    rows = state.road_curves.get(road) or ()
    if not rows:
        return empty_figure(f"{road}：今日暂无车速")
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    vf = state.road_free_flow.get(road)
    line = {
        "type": "scatter",
        "x": [t.isoformat() for t, _ in rows],
        "y": [v for _, v in rows],
        "mode": "lines",
        "line": {"color": ACCENT, "width": 2.5},
        "fill": "tozeroy",
        "fillcolor": "rgba(63,208,255,0.12)",
        "hoverinfo": "skip",
    }
    top = max([v for _, v in rows] + [vf or 0])
    shapes = []
    notes = [
        {
            "text": title, "xref": "paper", "yref": "paper", "x": 0, "y": 1.0, "xanchor": "left",
            "yanchor": "bottom", "showarrow": False, "font": {"size": 15, "color": TEXT},
        }
    ]  # fmt: skip
    if vf:
        shapes.append(
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": vf, "y1": vf,
             "line": {"color": MUTED, "width": 1.5, "dash": "dash"}}
        )  # fmt: skip
        notes.append(
            {"text": f"自由流 {vf:.0f}", "xref": "paper", "x": 1, "xanchor": "right", "y": vf,
             "yanchor": "bottom", "showarrow": False, "font": {"size": 14, "color": MUTED}}
        )  # fmt: skip
    axis = _day_axis(day) | {"range": [day.isoformat(), (day + timedelta(hours=24)).isoformat()]}
    layout = base_layout(
        xaxis=axis | {"zeroline": False},
        yaxis={"range": [0, round(top * 1.15, 1)], "tickfont": TICK, "nticks": 4, "gridcolor": GRID, "zeroline": False},
        shapes=shapes,
        annotations=notes,
        margin={"l": 40, "r": 12, "t": 28, "b": 30},
    )  # fmt: skip
    return {"data": [line], "layout": layout}


def road_variants(state: TrafficState, now: datetime) -> dict[str, Any]:
    """Every road's speed curve keyed by road name; the default is the most congested road."""
    if not state.road_curves:
        return {DEFAULT_VARIANT: empty_figure(f"暂无车速 · {HINT}")}
    worst = next((r.road for r in state.roads if r.road in state.road_curves), None)
    worst = worst or sorted(state.road_curves)[0]
    out = {road: road_curve(state, road, now, f"{road} 今日平均车速") for road in state.road_curves}
    out[DEFAULT_VARIANT] = road_curve(state, worst, now, f"最拥堵：{worst} · {HINT}")
    return out
