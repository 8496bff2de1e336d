"""Pure chart figures of the 网格化治理 scene: townships of a county, categories, 24 h trend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from scenes.grid_governance.state import Counts, GovState
from scenes.render import GRID, MUTED, SERIES, TEXT, empty_figure, figure
from wall.live import DEFAULT_VARIANT

TICK = {"size": 17}
OPEN_COLOR = "#3fd0ff"
OVERDUE_COLOR = "#ffb443"
CLOSED_COLOR = "#7ee0b4"


def short_township(name: str, county_name: str) -> str:
    """'街道片区01' for '东昌府区街道片区01': the county is already named by the picker."""
    return name[len(county_name) :] if county_name and name.startswith(county_name) else name


def _bar_text(n: Counts) -> str:
    overdue = f"（超期{n.overdue}）" if n.overdue else ""
    return f"{n.open}{overdue} · 今日{n.today}"


def _hbars(labels: list[str], rows: list[Counts], note: str = "") -> dict[str, Any]:
    """Horizontal bars of open events, the numbers written beside each bar, biggest on top."""
    top = max((r.open for r in rows), default=0) or 1
    bars = go.Bar(
        x=[r.open for r in rows],
        y=labels,
        orientation="h",
        marker={"color": OPEN_COLOR},
        text=[_bar_text(r) for r in rows],
        textposition="outside",
        textfont={"size": 17, "color": TEXT},
        cliponaxis=False,
        constraintext="none",
        hoverinfo="skip",
    )
    annotations = []
    if note:
        annotations.append({"text": note, "x": 1, "y": 0, "xref": "paper", "yref": "paper", "xanchor": "right", "yanchor": "bottom", "showarrow": False, "font": {"size": 17, "color": MUTED}})  # fmt: skip
    return figure(
        [bars],
        xaxis={"visible": False, "range": [0, top * 2.1]},
        yaxis={"tickfont": TICK, "autorange": "reversed", "automargin": True, "gridcolor": "rgba(0,0,0,0)"},
        margin={"l": 8, "r": 8, "t": 4, "b": 4},
        bargap=0.35,
        annotations=annotations,
    )  # fmt: skip


def township_figure(county: str, state: GovState, county_name: str, rows: int) -> dict[str, Any]:
    """The townships of one county: open events per township (超期 and 今日 in the label)."""
    if not state.has_stats:
        return empty_figure()
    names = {c.township_code: c.township for c in state.cells if c.county == county}
    counts = state.by_township()
    codes = sorted(set(names) | {t for t in counts if t.startswith(county)})
    if not codes:
        return empty_figure(f"{county_name}暂无网格")
    ranked = sorted(codes, key=lambda t: (-counts.get(t, Counts()).open, t))
    shown = ranked[:rows]
    labels = [short_township(names.get(t, t), county_name) for t in shown]
    note = f"另有 {len(ranked) - rows} 个乡镇（街道）" if len(ranked) > rows else ""
    return _hbars(labels, [counts.get(t, Counts()) for t in shown], note)


def township_variants(
    state: GovState, names: Mapping[str, str], rows: int, default: str
) -> dict[str, Any]:
    """One township figure per county (picked by the county selector) and `_default`."""
    out = {code: township_figure(code, state, name, rows) for code, name in names.items()}
    out[DEFAULT_VARIANT] = out.get(default) or empty_figure()
    return out


def category_figure(state: GovState) -> dict[str, Any]:
    """Open events per category, with overdue and today's reports in the label."""
    if not state.has_stats:
        return empty_figure()
    if not any(n.open or n.today for _, n in state.categories):
        return empty_figure("暂无办理中事件")
    return _hbars([c for c, _ in state.categories], [n for _, n in state.categories])


def trend_figure(state: GovState) -> dict[str, Any]:
    """Events reported and closed per hour over the last 24 hours."""
    if not state.has_stats or not state.hours:
        return empty_figure()
    x = list(range(len(state.hours)))
    ticks = [i for i, h in enumerate(state.hours) if h.hour % 4 == 0]
    traces = [
        go.Scatter(x=x, y=list(state.reported_hours), name="上报", mode="lines+markers", line={"color": SERIES[0], "width": 3.5}, marker={"size": 5}, hoverinfo="skip"),
        go.Scatter(x=x, y=list(state.closed_hours), name="结案", mode="lines", line={"color": CLOSED_COLOR, "width": 3, "dash": "dot"}, hoverinfo="skip"),
    ]  # fmt: skip
    return figure(
        traces,
        showlegend=True,
        legend={"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom", "font": {"size": 17}},
        xaxis={"tickvals": ticks, "ticktext": [f"{state.hours[i].hour}时" for i in ticks], "tickfont": TICK, "range": [-0.5, len(x) - 0.5], "gridcolor": "rgba(0,0,0,0)"},
        yaxis={"tickfont": TICK, "rangemode": "tozero", "gridcolor": GRID, "nticks": 4},
        margin={"l": 40, "r": 12, "t": 30, "b": 28},
    )  # fmt: skip
