"""The city's area in WGS-84, so feeds with coordinates outside the city are refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.prepared import prep

from indicators.coords import gcj02_to_wgs84_array

KM_PER_DEGREE = 111.0


@dataclass(frozen=True)
class CityArea:
    """A prepared polygon test: is a WGS-84 point inside the city (plus a margin)?"""

    name: str
    geometry: Any
    margin_km: float

    def contains(self, lon: float, lat: float) -> bool:
        """True when the point lies within the city or its margin."""
        return self._prepared.contains(shapely.Point(lon, lat))

    @property
    def _prepared(self) -> Any:
        cached = self.__dict__.get("_prep")
        if cached is None:
            cached = prep(self.geometry)
            object.__setattr__(self, "_prep", cached)
        return cached


def _to_wgs84(coords: np.ndarray) -> np.ndarray:
    lon, lat = gcj02_to_wgs84_array(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def city_area(name: str, counties_gcj02: Mapping[str, Any], margin_km: float) -> CityArea:
    """Union the county polygons (GCJ-02), convert to WGS-84 and buffer by `margin_km`."""
    union = shapely.union_all([shape(f["geometry"]) for f in counties_gcj02["features"]])
    wgs = shapely.transform(union, _to_wgs84)
    return CityArea(name, wgs.buffer(margin_km / KM_PER_DEGREE), margin_km)
