"""Generated unit grids (单元网格): no official grid boundaries exist offline, so the simulator
cuts each real county polygon into townships and grids with seeded Voronoi cells.

Grids nest exactly: townships are Voronoi cells clipped to the county, grids are Voronoi cells
clipped to their township, communities are runs of about three neighbouring grids. Codes follow
CJ/T 349's hierarchy without its 6-digit object prefix: county adcode (6) + township (3) +
community (3) + grid (2). Township numbers start at 001 in the urban districts' first few and
at 101 elsewhere, after GB/T 10114's 街道/镇 ranges. Names say what they are: "片区"/"社区"
numbers, never invented place names. Everything is a pure function of (seed, geo, count).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import voronoi_diagram

from indicators.coords import gcj02_to_wgs84_array, wgs84_to_gcj02
from scenes.base import Geo

# Relative number of grids per county (≈ resident population; illustrative).
COUNTY_WEIGHT = {"371502": 1.8, "371503": 0.75, "371521": 1.0, "371522": 1.25, "371524": 0.55, "371525": 1.0, "371526": 0.7, "371581": 1.05}  # fmt: skip
# County seats (WGS-84, approximate): urban grids are small and dense around them.
SEATS = {"371502": (115.985, 36.457), "371503": (116.255, 36.580), "371521": (115.791, 36.114), "371522": (115.671, 36.234), "371524": (116.248, 36.335), "371525": (115.442, 36.484), "371526": (116.231, 36.866), "371581": (115.705, 36.838)}  # fmt: skip
GRIDS_PER_TOWNSHIP = 11
GRIDS_PER_COMMUNITY = 3
URBAN_SHARE = 0.45  # share of a county's grid seeds drawn near its seat
KM_PER_DEG_LAT = 111.2


@dataclass(frozen=True)
class GridCell:
    """One generated grid in GCJ-02 (the map's system); `record()` gives the WGS-84 feed row."""

    grid_code: str
    county: str
    township_code: str
    township: str
    community_code: str
    community: str
    polygon: BaseGeometry

    @property
    def centroid(self) -> tuple[float, float]:
        """A point inside the grid (GCJ-02)."""
        p = self.polygon.representative_point()
        return p.x, p.y

    def area_km2(self) -> float:
        """Area on the ground (equirectangular at the grid's latitude; grids are small)."""
        lat = math.radians(self.centroid[1])
        return self.polygon.area * KM_PER_DEG_LAT**2 * math.cos(lat)

    def record(self) -> dict:
        """The `grid_cells` ingest record: geometry and centroid converted to WGS-84."""

        def to_wgs(xy: np.ndarray) -> np.ndarray:
            lon, lat = gcj02_to_wgs84_array(xy[:, 0], xy[:, 1])
            return np.round(np.column_stack([lon, lat]), 6)

        wgs = shapely.transform(self.polygon, to_wgs)
        lon, lat = to_wgs(np.array([self.centroid]))[0]
        return {
            "grid_code": self.grid_code,
            "county": self.county,
            "township_code": self.township_code,
            "township": self.township,
            "community_code": self.community_code,
            "community": self.community,
            "lon": float(lon),
            "lat": float(lat),
            "area_km2": round(self.area_km2(), 3),
            "geometry": mapping(wgs),
            "generated": True,
        }


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng([seed, *key])


def _points_in(
    poly: BaseGeometry, n: int, rng: np.random.Generator, centre=None, sigma=0.0
) -> list[tuple[float, float]]:
    """n distinct points inside `poly`: uniform, or Gaussian around `centre` when sigma > 0."""
    out: list[tuple[float, float]] = []
    minx, miny, maxx, maxy = poly.bounds
    for _ in range(200):
        if len(out) >= n:
            break
        if sigma > 0 and centre is not None:
            xs = centre[0] + rng.normal(0, sigma, 4 * n)
            ys = centre[1] + rng.normal(0, sigma * 0.8, 4 * n)
        else:
            xs, ys = rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)
        inside = shapely.contains_xy(poly, xs, ys)
        out += [(float(x), float(y)) for x, y in zip(xs[inside], ys[inside], strict=True)]
    return out[:n]


def _voronoi(poly: BaseGeometry, seeds: list[tuple[float, float]]) -> list[BaseGeometry]:
    """Voronoi cells of `seeds` clipped to `poly`, in seed order; every cell is non-empty."""
    if len(seeds) == 1:
        return [poly]
    regions = voronoi_diagram(MultiPoint(seeds), envelope=poly.envelope.buffer(0.5))
    cells = []
    for x, y in seeds:
        pt = Point(x, y)
        region = next(r for r in regions.geoms if r.contains(pt) or r.touches(pt))
        cells.append(region.intersection(poly))
    return cells


def _largest(geom: BaseGeometry) -> BaseGeometry:
    """A polygon or multipolygon without stray lines or points from clipping."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type == "Polygon"]
    return shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]


def _allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` by `weights` (largest remainder), at least `minimum` each."""
    w = np.array(weights, dtype=float)
    raw = total * w / w.sum()
    base = np.maximum(np.floor(raw).astype(int), minimum)
    order = np.argsort(-(raw - np.floor(raw)))
    i = 0
    while base.sum() < total:
        base[order[i % len(base)]] += 1
        i += 1
    return [int(b) for b in base]


def generate_grids(geo: Geo, seed: int, total: int = 300) -> list[GridCell]:
    """`total` grids (at least two per county) covering every county, nested township →
    community → grid."""
    counties = {f["properties"]["adcode"]: shape(f["geometry"]) for f in geo.counties["features"]}
    codes = sorted(counties)
    per_county = _allocate(total, [COUNTY_WEIGHT.get(c, 1.0) for c in codes], minimum=2)
    cells: list[GridCell] = []
    for ci, (county, n) in enumerate(zip(codes, per_county, strict=True)):
        poly = counties[county].buffer(0)
        rng = _rng(seed, 71, ci)
        name = geo.names.get(county, county)
        seat = wgs84_to_gcj02(*SEATS[county]) if county in SEATS else poly.representative_point().coords[0]  # fmt: skip
        n_towns = max(2, round(n / GRIDS_PER_TOWNSHIP))
        town_seeds = _points_in(poly, 2, rng, seat, 0.03) + _points_in(poly, n_towns - 2, rng)
        towns = [_largest(t) for t in _voronoi(poly, town_seeds)]
        urban = _points_in(poly, round(n * URBAN_SHARE), rng, seat, 0.04)
        rural = _points_in(poly, n - len(urban), rng)
        seeds = urban + rural
        home = [next((i for i, t in enumerate(towns) if t.covers(Point(s))), 0) for s in seeds]
        for ti, town in enumerate(towns):
            if ti not in home:
                # A township no seed fell in takes one from the fullest, so the count stays exact.
                donor = max(range(len(towns)), key=home.count)
                k = home.index(donor)
                seeds[k], home[k] = town.representative_point().coords[0], ti
        for ti, town in enumerate(towns):
            mine = [s for s, h in zip(seeds, home, strict=True) if h == ti]
            mine.sort(key=lambda p: (round(p[1], 2), p[0]))  # rows north-south, then west-east
            street = ti < 2 and county in ("371502", "371503", "371581")
            t_code = f"{county}{(ti + 1) if street else (101 + ti):03d}"
            t_name = f"{name}{'街道' if street else '镇'}片区{ti + 1:02d}"
            for gi, cell in enumerate(_voronoi(town, mine)):
                k = gi // GRIDS_PER_COMMUNITY
                c_code = f"{t_code}{k + 1:03d}"
                cells.append(
                    GridCell(
                        grid_code=f"{c_code}{gi % GRIDS_PER_COMMUNITY + 1:02d}",
                        county=county,
                        township_code=t_code,
                        township=t_name,
                        community_code=c_code,
                        community=f"社区{k + 1:02d}",
                        polygon=_largest(cell),
                    )
                )
    return cells
