"""Shared pure helpers for scene transforms: JSON-ready figures, maps and empty states."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from scenes.base import Geo

# Figure colours mirror the CSS variables in assets/theme.css (figures cannot read CSS).
TEXT = "#d6e6f5"
MUTED = "#8fa9c4"
GRID = "rgba(120,160,200,0.18)"
ACCENT = "#3fd0ff"
SERIES = ("#3fd0ff", "#7ee0b4", "#ffd36e", "#b79cff", "#ff9f6e", "#6ea8ff")
# Same order as --font in assets/theme.css, so charts and page text measure alike.
FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Noto Sans SC, sans-serif"
EMPTY_TEXT = "暂无数据"


def to_jsonable(obj: Any) -> Any:
    """Turn a figure or Dash component into plain JSON data the snapshot store can keep."""
    return json.loads(json.dumps(obj, cls=PlotlyJSONEncoder))


def base_layout(**overrides: Any) -> dict[str, Any]:
    """Return the wall's dark, legible chart layout."""
    layout: dict[str, Any] = {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "color": TEXT, "size": 16},
        "margin": {"l": 56, "r": 16, "t": 12, "b": 36},
        "xaxis": {"gridcolor": GRID, "zeroline": False, "tickfont": {"size": 14}},
        "yaxis": {"gridcolor": GRID, "zeroline": False, "tickfont": {"size": 14}},
        "legend": {"orientation": "h", "y": 1.12, "x": 0, "font": {"size": 14}},
        "showlegend": False,
        "hovermode": False,
        "uirevision": "keep",
    }
    layout.update(overrides)
    return layout


def figure(traces: Sequence[Any], **layout: Any) -> dict[str, Any]:
    """Build a JSON-ready figure with the wall layout."""
    fig = to_jsonable(go.Figure(data=list(traces), layout=base_layout(**layout)))
    for trace in fig.get("data", ()):
        if trace.get("type") == "scattermap":
            # Without a family, MapLibre draws CJK with the system's "sans-serif": tofu on a
            # wall PC without CJK fonts. Naming ours makes it draw with the bundled web font.
            trace.setdefault("textfont", {}).setdefault("family", FONT)
    return fig


def empty_figure(text: str = EMPTY_TEXT) -> dict[str, Any]:
    """An explicit "no data" figure: never an empty axis."""
    return to_jsonable(
        go.Figure(
            layout=base_layout(
                xaxis={"visible": False},
                yaxis={"visible": False},
                annotations=[
                    {
                        "text": text,
                        "showarrow": False,
                        "font": {"size": 26, "color": MUTED},
                        "x": 0.5,
                        "y": 0.5,
                        "xref": "paper",
                        "yref": "paper",
                    }
                ],
            )
        )
    )


def map_style(
    background: str, tile_url: str | None = None, attribution: str = ""
) -> dict[str, Any]:
    """An inline MapLibre style: no glyphs and no external host unless an intranet tile URL is set."""
    sources: dict[str, Any] = {
        "blank": {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}
    }
    layers: list[dict[str, Any]] = [
        {"id": "bg", "type": "background", "paint": {"background-color": background}}
    ]
    if tile_url:
        sources["intranet"] = {
            "type": "raster",
            "tiles": [tile_url],
            "tileSize": 256,
            "attribution": attribution,
        }
        layers.append(
            {
                "id": "intranet",
                "type": "raster",
                "source": "intranet",
                "paint": {"raster-opacity": 0.55},
            }
        )
    return {"version": 8, "sources": sources, "layers": layers}


def fit_view(
    bounds: tuple[float, float, float, float], size: tuple[int, int], pad: float = 0.08
) -> tuple[dict[str, float], float]:
    """Centre and zoom that fit `bounds` (lon/lat) into a `size` px map (MapLibre, 512 px tiles)."""
    minx, miny, maxx, maxy = bounds
    width, height = size

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)

    span_x = max((maxx - minx) / 360.0, 1e-9)
    span_y = max(merc(maxy) - merc(miny), 1e-9)
    usable = 1.0 - 2 * pad
    zoom = math.log2(min(width * usable / (512 * span_x), height * usable / (512 * span_y)))
    mid_y = (merc(maxy) + merc(miny)) / 2
    lat = math.degrees(2 * math.atan(math.exp(mid_y * 2 * math.pi)) - math.pi / 2)
    return {"lon": round((minx + maxx) / 2, 5), "lat": round(lat, 5)}, round(zoom, 3)


def map_layout(
    geo: Geo, style: Mapping[str, Any], *, size: tuple[int, int] | None = None, **overrides: Any
) -> dict[str, Any]:
    """Layout for a MapLibre map: fitted to the city when the panel's pixel `size` is known."""
    if size and geo.bounds:
        center, zoom = fit_view(geo.bounds, size)
    else:
        center, zoom = {"lon": geo.center[0], "lat": geo.center[1]}, geo.zoom
    return base_layout(
        map={"style": dict(style), "center": center, "zoom": zoom},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        **overrides,
    )


def county_choropleth(
    geo: Geo,
    values: Mapping[str, float | None],
    *,
    colorscale: Any,
    zmin: float,
    zmax: float,
    hover_unit: str = "",
    name: str = "",
) -> go.Choroplethmap:
    """A county fill layer keyed by adcode; counties without a value are drawn grey."""
    codes = list(geo.names)
    z = [values.get(c) for c in codes]
    return go.Choroplethmap(
        geojson=dict(geo.counties),
        locations=codes,
        featureidkey="properties.adcode",
        z=[v if v is not None else float("nan") for v in z],
        zmin=zmin,
        zmax=zmax,
        colorscale=colorscale,
        marker={"line": {"color": "rgba(200,230,255,0.8)", "width": 1.5}, "opacity": 0.78},
        showscale=False,
        name=name,
        hoverinfo="skip",
    )


def county_labels(geo: Geo, texts: Mapping[str, str]) -> go.Scattermap:
    """County names (and values) at each county's label point, with a halo for legibility."""
    codes = [c for c in geo.names if c in geo.label_points]
    return go.Scattermap(
        lon=[geo.label_points[c][0] for c in codes],
        lat=[geo.label_points[c][1] for c in codes],
        mode="text",
        text=[texts.get(c, geo.names[c]) for c in codes],
        textfont={"size": 17, "color": "#ffffff"},
        hoverinfo="skip",
        showlegend=False,
    )


def discrete_scale(
    edges_colors: Sequence[tuple[float, str]], zmin: float, zmax: float
) -> list[list[Any]]:
    """A stepped colorscale: each (upper_edge, colour) band is a flat colour."""
    scale: list[list[Any]] = []
    lower = zmin
    for upper, color in edges_colors:
        lo = (max(lower, zmin) - zmin) / (zmax - zmin)
        hi = (min(upper, zmax) - zmin) / (zmax - zmin)
        scale += [[max(0.0, lo), color], [min(1.0, hi), color]]
        lower = upper
        if upper >= zmax:
            break
    scale[-1][0] = 1.0
    return scale


# Density bands: sequential blue → amber; the legend's words carry the same meaning.
DENSITY_COLORS = ("#1b5e8c", "#2596be", "#5cc8b0", "#c8d85a", "#ffc94a", "#ff9f3a", "#ff8c3a")


def band_labels(edges: Sequence[int], unit: str, sep: str = "–") -> list[str]:
    """'1起', '2–3起', … '≥8起' for integer band edges."""
    out, lower = [], 1
    for e in edges:
        out.append(f"{e}{unit}" if e == lower else f"{lower}{sep}{e}{unit}")
        lower = e + 1
    return [*out, f"≥{lower}{unit}"]


def density_cells(
    grid: Sequence[tuple[int, int, int]], cell_deg: float, edges: Sequence[int], *, opacity: float
) -> go.Choroplethmap | None:
    """Counted grid cells (gx, gy, n on WGS-84 `cell_deg` steps) as GCJ-02 squares coloured by
    band (z is the band index); None when there is no cell."""
    from indicators.coords import wgs84_to_gcj02_array
    from indicators.public_safety import band_of, cell_bounds

    if not grid:
        return None
    feats, ids, z = [], [], []
    for gx, gy, n in grid:
        x0, y0, x1, y1 = cell_bounds(gx, gy, cell_deg)
        lon, lat = wgs84_to_gcj02_array([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0])
        ring = [[round(float(a), 5), round(float(b), 5)] for a, b in zip(lon, lat, strict=True)]
        cid = f"{gx}_{gy}"
        geometry = {"type": "Polygon", "coordinates": [ring[::-1]]}
        feats.append({"type": "Feature", "id": cid, "properties": {}, "geometry": geometry})
        ids.append(cid)
        z.append(band_of(n, tuple(edges)))
    k = len(edges)
    colors = DENSITY_COLORS[: k + 1]
    return go.Choroplethmap(
        geojson={"type": "FeatureCollection", "features": feats},
        locations=ids,
        z=z,
        zmin=-0.5,
        zmax=k + 0.5,
        colorscale=discrete_scale([(i + 0.5, c) for i, c in enumerate(colors)], -0.5, k + 0.5),
        marker={"line": {"width": 0}, "opacity": opacity},
        showscale=False,
        hoverinfo="skip",
    )
