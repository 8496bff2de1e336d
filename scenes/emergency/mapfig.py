"""Pure map of the 应急管理 scene: one figure, one fixed trace per layer, so the layer toggles
can set `visible` per trace and live patches (which never carry `visible`) keep them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from indicators.coords import wgs84_to_gcj02_array
from indicators.emergency import COLOUR_HEX, COLOUR_LEVEL, GRADE_NAMES, highest_colour
from scenes.base import RenderContext
from scenes.emergency.state import Site, State
from scenes.render import TEXT, county_choropleth, empty_figure, figure, map_layout

MAP_SIZE = (960, 640)  # the map's drawing area on the 1920×1080 canvas
# Event grade colours follow the 红/橙/黄/蓝 order of the Emergency Response Law (I = red);
# the grade is always written next to the marker, so colour is never the only carrier.
GRADE_COLOR = {
    "I": COLOUR_HEX["红"],
    "II": COLOUR_HEX["橙"],
    "III": COLOUR_HEX["黄"],
    "IV": "#4d8dff",
}
RISK_COLOR = "#c77dff"
SHELTER_COLOR = "#46d39a"
TEAM_COLOR = "#3fd0ff"
DEPOT_COLOR = "#ffb86b"
SENSOR_COLOR = "#7ee0b4"
OVER_COLOR = "#ff4d4f"
NO_WARNING = "#27496d"
# Toggle value -> indices of the traces it shows/hides (fixed order, see map_figure).
LAYERS: dict[str, tuple[int, ...]] = {
    "risk": (1,),
    "shelter": (2,),
    "team": (3,),
    "depot": (4,),
    "sensor": (5, 6),
    "event": (8, 9),
}
LAYER_LABELS = {
    "risk": "风险源",
    "shelter": "避难场所",
    "team": "救援队伍",
    "depot": "物资储备",
    "sensor": "物联感知",
    "event": "事件",
}
N_TRACES = 10


def gcj(sites: Sequence[Any]) -> tuple[list[float], list[float]]:
    """WGS-84 feed coordinates -> GCJ-02 map coordinates, rounded for small patches."""
    if not sites:
        return [], []
    lon, lat = wgs84_to_gcj02_array([s.lon for s in sites], [s.lat for s in sites])
    return [round(float(x), 5) for x in lon], [round(float(y), 5) for y in lat]


def wan(n: float) -> str:
    """'1.2万' / '800': capacities short enough for a map label."""
    return f"{n / 10000:.1f}万" if n >= 10000 else f"{n:.0f}"


def _points(sites: Sequence[Any], color: Any, size: Any, text: Sequence[str] | None = None,
            position: str = "bottom center") -> go.Scattermap:  # fmt: skip
    lon, lat = gcj(sites)
    return go.Scattermap(
        lon=lon,
        lat=lat,
        # markers+text: an offset text position needs a marker size (plotly.js text-offset NaN).
        mode="markers+text" if text is not None else "markers",
        marker={"size": size, "color": color},
        text=list(text) if text is not None else None,
        textposition=position,
        textfont={"size": 15, "color": "#ffffff"},
        hoverinfo="skip",
    )


def _legend() -> list[dict[str, Any]]:
    items = [
        (RISK_COLOR, "风险源（大=高风险）"),
        (SHELTER_COLOR, "避难场所（空余人数）"),
        (TEAM_COLOR, "救援队伍"),
        (DEPOT_COLOR, "物资储备"),
        (SENSOR_COLOR, "感知正常"),
        (OVER_COLOR, "感知超限"),
    ]
    grades = " ".join(
        f"<span style='color:{GRADE_COLOR[g]}'>●</span>{GRADE_NAMES[g]}" for g in GRADE_COLOR
    )
    lines = [f"<span style='color:{c}'>●</span> {t}" for c, t in items] + [f"事件 {grades}"]
    return [
        {
            "text": "<br>".join(lines),
            "x": 0.01,
            "y": 0.02,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "align": "left",
            "font": {"size": 15, "color": TEXT},
            "bgcolor": "rgba(7,24,43,0.8)",
        }
    ]


def _county_layers(state: State, ctx: RenderContext) -> list[Any]:
    """Counties filled by the highest warning colour in force, labelled with its name."""
    geo = ctx.geo
    by_county: dict[str, list[str]] = {}
    for w in state.warnings:
        by_county.setdefault(w.county, []).append(w.colour)
    top = {c: highest_colour(cols) for c, cols in by_county.items()}
    z = {c: float(5 - COLOUR_LEVEL[top[c]]) if top.get(c) else 0.0 for c in geo.names}
    scale = [[0.0, NO_WARNING], [0.2, NO_WARNING], [0.2, COLOUR_HEX["蓝"]], [0.4, COLOUR_HEX["蓝"]],
             [0.4, COLOUR_HEX["黄"]], [0.6, COLOUR_HEX["黄"]], [0.6, COLOUR_HEX["橙"]],
             [0.8, COLOUR_HEX["橙"]], [0.8, COLOUR_HEX["红"]], [1.0, COLOUR_HEX["红"]]]  # fmt: skip
    fill = county_choropleth(geo, z, colorscale=scale, zmin=0, zmax=5, name="预警")
    fill.update(marker={"opacity": 0.18, "line": {"color": "rgba(200,230,255,0.8)", "width": 1.5}})
    codes = [c for c in geo.names if c in geo.label_points]
    texts = [geo.names[c] for c in codes]
    labels = go.Scattermap(
        lon=[geo.label_points[c][0] for c in codes],
        lat=[geo.label_points[c][1] for c in codes],
        mode="text",
        text=texts,
        textposition="middle center",
        textfont={"size": 16, "color": "#dbe9f7"},
        hoverinfo="skip",
    )
    return [fill, labels]


def map_figure(state: State, ctx: RenderContext) -> dict[str, Any]:
    """Counties (warnings), risk sources, shelters, teams, depots, sensors and active events."""
    if not state.has_sites and not state.has_events:
        return empty_figure()
    shelters, sensors = state.of_kind("shelter"), state.sensors
    normal = [s for s in sensors if not s.over]
    over = [s for s in sensors if s.over]
    ev = state.events
    fill, labels = _county_layers(state, ctx)
    # Events, then county names, on top: MapLibre places the top layers' labels first, so they
    # win label collisions over shelters.
    traces = [
        fill,
        _points(state.risks, RISK_COLOR, [8 + 3 * (4 - (r.level or 4)) for r in state.risks]),
        _points(shelters, SHELTER_COLOR, 13, [wan(s.free) for s in shelters]),
        _points(state.of_kind("rescue_team"), TEAM_COLOR, 12),
        _points(state.of_kind("depot"), DEPOT_COLOR, 12),
        _points(normal, SENSOR_COLOR, 8),
        _points(over, OVER_COLOR, 15, [f"超限 {s.value:g}{s.unit}" for s in over], "top center"),
        labels,
        _points(ev, "#ffffff", 26),
        _points(
            ev,
            [GRADE_COLOR.get(e.grade, "#999") for e in ev],
            19,
            [f"{GRADE_NAMES.get(e.grade, '')} {e.subtype}" for e in ev],
            "top center",
        ),  # fmt: skip
    ]
    stamp = {
        "text": f"{state.now:%m-%d %H:%M} · 处置中事件 {len(ev)} 起 · 县区底色=最高预警",
        "x": 0.01,
        "y": 0.99,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": 16, "color": TEXT},
        "bgcolor": "rgba(7,24,43,0.8)",
    }
    return figure(
        traces, **map_layout(ctx.geo, ctx.map_style, size=MAP_SIZE, annotations=[stamp, *_legend()])
    )


def sites_of(state: State) -> list[Site]:
    """Every drawn site (for tests: all must be drawn in GCJ-02)."""
    return [*state.risks, *state.resources, *state.sensors]
