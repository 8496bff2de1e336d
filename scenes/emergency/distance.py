"""Real distances between events and resources, in metres, in a projected CRS.

Feeds report WGS-84 (GPS) coordinates; distances are computed from those, projected to
UTM zone 50N (EPSG:32650, which covers 114°E–120°E and so all of 聊城, 115.2°E–116.6°E).
GCJ-02 is used only for drawing over the boundaries, never for distances.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer

from scenes.emergency.state import Event, Site

CRS = "EPSG:32650"


@lru_cache(maxsize=1)
def _to_utm() -> Transformer:
    """Built once per process (pure, read-only afterwards)."""
    return Transformer.from_crs("EPSG:4326", CRS, always_xy=True)


def project(lons: Sequence[float], lats: Sequence[float]) -> np.ndarray:
    """WGS-84 lon/lat -> shapely points in UTM 50N metres."""
    x, y = _to_utm().transform(np.asarray(lons, float), np.asarray(lats, float))
    return shapely.points(x, y)


def distances_km(event: Event, sites: Sequence[Site]) -> list[float]:
    """Straight-line distance in km from the event to each site."""
    if not sites:
        return []
    origin = project([event.lon], [event.lat])[0]
    points = project([s.lon for s in sites], [s.lat for s in sites])
    return [float(d) / 1000 for d in shapely.distance(origin, points)]


def nearest(event: Event, sites: Sequence[Site], k: int) -> list[tuple[Site, float]]:
    """The `k` nearest sites with their distance (km), nearest first."""
    ranked = sorted(
        zip(sites, distances_km(event, sites), strict=True), key=lambda p: (p[1], p[0].site_id)
    )
    return ranked[:k]


def within(event: Event, sites: Sequence[Site], radius_km: float) -> list[tuple[Site, float]]:
    """Sites within `radius_km` of the event, nearest first."""
    return [p for p in nearest(event, sites, len(sites)) if p[1] <= radius_km]
