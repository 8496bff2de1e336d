"""Pure per-event detail figures (one variant per active event, chosen by the picker):
the timeline, and the nearest teams/depots plus shelters within the option radius."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import plotly.graph_objects as go

from indicators.emergency import grade_text
from scenes.emergency.distance import nearest, within
from scenes.emergency.mapfig import wan
from scenes.emergency.options import Options
from scenes.emergency.state import Event, State
from scenes.render import MUTED, TEXT, empty_figure, figure

WRAP = 21  # characters per timeline line in the 430 px column


def duration_text(start: datetime, now: datetime) -> str:
    """'已持续 3小时12分' (never negative)."""
    minutes = max(0, int((now - start).total_seconds() // 60))
    hours, mins = divmod(minutes, 60)
    return f"已持续 {hours}小时{mins:02d}分" if hours else f"已持续 {mins}分钟"


def casualty_text(e: Event) -> str:
    """Deaths / serious injuries / loss in words, when reported."""
    parts = []
    if e.deaths is not None:
        parts.append(f"死亡{e.deaths}人")
    if e.injuries is not None:
        parts.append(f"重伤{e.injuries}人")
    if e.loss is not None:
        parts.append(f"损失{e.loss / 10000:,.0f}万元")
    return "，".join(parts)


def _wrap(text: str, width: int = WRAP) -> str:
    return "<br>".join(text[i : i + width] for i in range(0, len(text), width)) or "—"


def timeline_figure(e: Event, state: State, rows: int) -> dict[str, Any]:
    """Header (what, how bad, where, since when) over the latest `rows` timeline steps."""
    steps = list(e.log[-rows:])
    hidden = len(e.log) - len(steps)
    lines = [
        f"<b>{e.subtype}</b> · {grade_text(e.grade)} · {e.type}",
        e.place,
        f"{e.started:%m-%d %H:%M}起 · {duration_text(e.started, state.now)}",
    ]
    casualties = casualty_text(e)
    if casualties:
        lines.append(casualties)
    head = "<br>".join(lines)
    n = len(steps)
    ys = list(range(n, 0, -1))
    trace_line = go.Scatter(
        x=[0] * n,
        y=ys,
        mode="lines",
        line={"color": "rgba(63,208,255,0.45)", "width": 2},
        hoverinfo="skip",
    )
    marks = go.Scatter(
        x=[0] * n,
        y=ys,
        mode="markers+text",
        marker={
            "size": 11,
            "color": ["#3fd0ff" if s != "结束" else "#46d39a" for _, s, _ in steps],
        },
        text=[f"<b>{ts:%H:%M} {s}</b><br>{_wrap(t)}" for ts, s, t in steps],
        textposition="middle right",
        textfont={"size": 15, "color": TEXT},
        hoverinfo="skip",
    )
    notes = [
        {"text": head, "x": 0, "y": 1, "xref": "paper", "yref": "paper", "xanchor": "left",
         "yanchor": "top", "showarrow": False, "align": "left", "font": {"size": 16, "color": TEXT}},
    ]  # fmt: skip
    if hidden:
        notes.append({"text": f"更早 {hidden} 条略", "x": 1, "y": 0, "xref": "paper", "yref": "paper",
                      "xanchor": "right", "yanchor": "bottom", "showarrow": False,
                      "font": {"size": 15, "color": MUTED}})  # fmt: skip
    if not steps:
        return empty_figure("暂无处置记录")
    top = len(lines)
    return figure(
        [trace_line, marks],
        xaxis={"visible": False, "range": [-0.04, 1]},
        yaxis={"visible": False, "range": [0.4, n + 0.6]},
        margin={"l": 8, "r": 4, "t": 26 * top + 10, "b": 4},
        annotations=[{**notes[0], "y": 1, "yshift": 26 * top + 6}, *notes[1:]],
    )


def nearby_rows(e: Event, state: State, options: Options) -> list[tuple[str, str, float, str]]:
    """(kind, name, km, capability) rows: nearest teams, nearest depots, shelters in radius."""
    rows = [
        ("队伍", s.name, d, f"{s.capacity:.0f}人")
        for s, d in nearest(e, state.of_kind("rescue_team"), options.nearest_teams)
    ]
    rows += [
        ("物资", s.name, d, f"{s.capacity:,.0f}件")
        for s, d in nearest(e, state.of_kind("depot"), options.nearest_depots)
    ]
    shelters = within(e, state.of_kind("shelter"), options.shelter_radius_km)
    rows += [("避难", s.name, d, f"空{wan(s.free)}人") for s, d in shelters[: options.shelter_rows]]
    return rows


def nearby_figure(e: Event, state: State, options: Options) -> dict[str, Any]:
    """A table of the nearby resources with real (UTM 50N) distances."""
    rows = nearby_rows(e, state, options)
    shelters = within(e, state.of_kind("shelter"), options.shelter_radius_km)
    free = sum(s.free for s, _ in shelters)
    note = f"{options.shelter_radius_km:g} km 内避难场所 {len(shelters)} 处 · 空余 {free:,} 人"
    if not rows:
        return empty_figure("暂无资源数据")
    table = go.Table(
        columnwidth=[48, 220, 70, 80],
        header={
            "values": ["类别", "名称", "距离", "能力"],
            "fill": {"color": "rgba(63,208,255,0.16)"},
            "font": {"size": 15, "color": MUTED},
            "align": "left",
            "height": 28,
            "line": {"width": 0},
        },
        cells={
            "values": [
                [r[0] for r in rows],
                [r[1] for r in rows],
                [f"{r[2]:.1f}km" for r in rows],
                [r[3] for r in rows],
            ],
            "fill": {"color": "rgba(0,0,0,0)"},
            "font": {"size": 15, "color": TEXT},
            "align": "left",
            "height": 28,
            "line": {"color": "rgba(63,208,255,0.1)", "width": 1},
        },
    )
    return figure(
        [table],
        margin={"l": 2, "r": 2, "t": 30, "b": 0},
        annotations=[{"text": note, "x": 0, "y": 1, "xref": "paper", "yref": "paper", "xanchor": "left",
                      "yanchor": "bottom", "yshift": 4, "showarrow": False, "font": {"size": 16, "color": TEXT}}],
    )  # fmt: skip
