"""Load the city's boundary file once at start-up and simplify it for display."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
from shapely.geometry import mapping

from config.loader import ConfigError
from scenes.base import Geo


def load_geo(
    path: Path,
    *,
    name_field: str,
    code_field: str,
    center: tuple[float, float],
    zoom: float,
    tolerance: float,
) -> Geo:
    """Read county polygons (GCJ-02), keep name and code, and simplify preserving topology."""
    gdf = gpd.read_file(path)
    for field_name in (name_field, code_field):
        if field_name not in gdf.columns:
            raise ConfigError(
                f"city.boundary: {path.name} has no property {field_name!r} (has: {', '.join(map(str, gdf.columns))})"
            )
    gdf[code_field] = gdf[code_field].astype(str)
    if tolerance > 0:
        gdf["geometry"] = gdf.geometry.simplify(tolerance, preserve_topology=True)
    features = []
    labels: dict[str, tuple[float, float]] = {}
    for _, row in gdf.iterrows():
        geom = mapping(row.geometry)
        geom = json.loads(json.dumps(geom), parse_float=lambda s: round(float(s), 5))
        code = row[code_field]
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"adcode": code, "name": row[name_field]},
                "geometry": geom,
            }
        )
        point = row.geometry.representative_point()
        labels[code] = (round(point.x, 5), round(point.y, 5))
    names = {row[code_field]: row[name_field] for _, row in gdf.iterrows()}
    return Geo(
        counties={"type": "FeatureCollection", "features": features},
        names=names,
        center=center,
        zoom=zoom,
        label_points=labels,
        bounds=tuple(round(float(v), 5) for v in gdf.total_bounds),
    )
