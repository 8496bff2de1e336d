"""Generate the demo road network `data/roads/liaocheng_roads.geojson` (run once, commit the file).

    python -m data_sources.simulator.traffic_roads [--out data/roads/liaocheng_roads.geojson]

The network is GENERATED, not surveyed: a grid of named urban roads in 东昌府区 plus plausible
national/provincial roads and two expressways joining the eight county seats. Each road is a
polyline (GCJ-02, like the county boundaries) that is cut into evaluation segments per
GB/T 33171 §5.5: urban roads at every crossing ("stop line to stop line"), then any piece
>= 3 km (快速路) or >= 1.5 km (other classes) is split again into equal parts below the limit.
Lengths are measured in UTM zone 50N (EPSG:32650) after converting GCJ-02 -> WGS-84.
Deterministic: the same code writes the same file.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, shape
from shapely.ops import substring

from indicators.coords import gcj02_to_wgs84_array, wgs84_to_gcj02_array

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "roads" / "liaocheng_roads.geojson"
COUNTIES = ROOT / "data" / "geo" / "liaocheng_counties.geojson"
GENERATOR_SEED = 33171
#: §5.5: split again when a piece is at least this long (m).
SPLIT_AT_M = {"快速路": 3000.0, "主干路": 1500.0, "次干路": 1500.0, "支路": 1500.0}
#: (speed limit, typical free-flow speed) in km/h by setting and class; vf is capped at the limit.
SPEEDS = {
    ("urban", "快速路"): (80, 72),
    ("urban", "主干路"): (60, 52),
    ("urban", "次干路"): (50, 42),
    ("urban", "支路"): (30, 27),
    ("intercity", "快速路"): (120, 108),
    ("intercity", "主干路"): (80, 72),
    ("intercity", "次干路"): (70, 62),
}

# Urban grid (GCJ-02): E-W roads by latitude, N-S roads by longitude, (code, name, class, at).
# fmt: off
EW = (
    ("U01", "北外环路", "快速路", 36.500), ("U02", "振兴路", "主干路", 36.486),
    ("U03", "建设路", "次干路", 36.472), ("U04", "兴华路", "主干路", 36.458),
    ("U05", "东昌路", "主干路", 36.444), ("U06", "湖南路", "主干路", 36.430),
    ("U07", "南外环路", "快速路", 36.412),
)
NS = (
    ("U11", "西外环路", "快速路", 115.915), ("U12", "卫育路", "次干路", 115.935),
    ("U13", "光岳路", "主干路", 115.955), ("U14", "柳园路", "主干路", 115.975),
    ("U15", "花园路", "主干路", 115.995), ("U16", "昌润路", "主干路", 116.015),
    ("U17", "庐山路", "次干路", 116.040), ("U18", "东外环路", "快速路", 116.065),
)
# Old-town lanes around 光岳楼 (支路).
LANES = (
    ("U21", "楼北大街", ((115.975, 36.4635), (115.995, 36.4635))),
    ("U22", "楼南大街", ((115.975, 36.4515), (115.995, 36.4515))),
)
# Inter-county roads: (code, name, class, waypoints). National roads are 主干路, provincial
# roads 次干路 and expressways 快速路 (the closest GB/T 33171 §5.2 classes).
INTERCITY = (
    ("G309W", "G309国道", "主干路", ((115.443, 36.484), (115.60, 36.470), (115.78, 36.462), (115.915, 36.458))),
    ("G309E", "G309国道", "主干路", ((116.065, 36.458), (116.16, 36.520), (116.255, 36.580))),
    ("G105", "G105国道", "主干路", ((116.231, 36.866), (116.25, 36.720), (116.255, 36.580), (116.25, 36.450), (116.248, 36.336))),
    ("G308", "G308国道", "主干路", ((115.706, 36.839), (115.95, 36.860), (116.231, 36.866))),
    ("G240", "G240国道", "主干路", ((115.706, 36.839), (115.82, 36.700), (115.95, 36.560), (115.975, 36.500))),
    ("S254", "S254省道", "次干路", ((115.955, 36.412), (115.88, 36.280), (115.791, 36.114))),
    ("S324", "S324省道", "次干路", ((115.672, 36.234), (115.73, 36.170), (115.791, 36.114))),
    ("S259", "S259省道", "次干路", ((115.915, 36.430), (115.78, 36.330), (115.672, 36.234))),
    ("S316", "S316省道", "次干路", ((115.443, 36.484), (115.55, 36.660), (115.706, 36.839))),
    ("S255", "S255省道", "次干路", ((116.065, 36.430), (116.16, 36.380), (116.248, 36.336))),
    ("S318", "S318省道", "次干路", ((115.791, 36.114), (116.02, 36.200), (116.248, 36.336))),
    ("G20", "G20青银高速", "快速路", ((115.46, 36.56), (115.75, 36.540), (115.98, 36.530), (116.20, 36.630), (116.38, 36.700))),
    ("G3", "G3京台高速", "快速路", ((116.20, 36.960), (116.20, 36.800), (116.30, 36.550), (116.33, 36.380), (116.30, 36.300))),
)
# fmt: on

_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
_FROM_UTM = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)


@dataclass(frozen=True)
class Road:
    """One named road as a GCJ-02 polyline, with the points where it must be cut."""

    code: str
    name: str
    road_class: str
    setting: str  # "urban" or "intercity"
    path: tuple[tuple[float, float], ...]
    cuts: tuple[tuple[float, float], ...] = ()  # crossings (GCJ-02) on the path


def gcj_to_utm(coords: np.ndarray) -> np.ndarray:
    """GCJ-02 lon/lat -> WGS-84 -> UTM 50N metres."""
    lon, lat = gcj02_to_wgs84_array(coords[:, 0], coords[:, 1])
    x, y = _TO_UTM.transform(lon, lat)
    return np.column_stack([x, y])


def utm_to_gcj(coords: np.ndarray) -> np.ndarray:
    """UTM 50N metres -> WGS-84 -> GCJ-02 lon/lat."""
    lon, lat = _FROM_UTM.transform(coords[:, 0], coords[:, 1])
    glon, glat = wgs84_to_gcj02_array(lon, lat)
    return np.column_stack([glon, glat])


def _wobble(a: tuple[float, float], b: tuple[float, float], rng: np.random.Generator, amp: float, step_m: float) -> list[tuple[float, float]]:  # fmt: skip
    """Points from a to b (b excluded) bending sideways by up to `amp` metres (a smooth arc)."""
    pa, pb = gcj_to_utm(np.array([a, b]))
    length = float(np.hypot(*(pb - pa)))
    n = max(1, int(length // step_m))
    normal = np.array([-(pb - pa)[1], (pb - pa)[0]]) / max(length, 1e-9)
    k1, k2 = rng.uniform(-1, 1, size=2)
    pts = []
    for i in range(n):
        t = i / n
        off = amp * (k1 * math.sin(math.pi * t) + 0.4 * k2 * math.sin(2 * math.pi * t))
        pts.append(pa + (pb - pa) * t + normal * off)
    return [tuple(p) for p in utm_to_gcj(np.array(pts))]


def urban_roads() -> list[Road]:
    """The 东昌府区 grid: each road runs between the outer ring roads and is cut at crossings."""
    west, east = NS[0][3], NS[-1][3]
    south, north = EW[-1][3], EW[0][3]
    roads = []
    for code, name, cls, lat in EW:
        cuts = tuple((lon, lat) for _, _, _, lon in NS)
        roads.append(Road(code, name, cls, "urban", ((west, lat), (east, lat)), cuts))
    for code, name, cls, lon in NS:
        cuts = tuple((lon, lat) for _, _, _, lat in EW)
        roads.append(Road(code, name, cls, "urban", ((lon, north), (lon, south)), cuts))
    for code, name, path in LANES:
        cuts = tuple((lon, path[0][1]) for _, _, _, lon in NS if path[0][0] <= lon <= path[1][0])
        roads.append(Road(code, name, "支路", "urban", path, cuts))
    return roads


def intercity_roads() -> list[Road]:
    """Inter-county roads through their waypoints (cut only by the §5.5 length rule)."""
    return [Road(code, name, cls, "intercity", tuple(pts)) for code, name, cls, pts in INTERCITY]


def _pieces(road: Road, rng: np.random.Generator) -> list[np.ndarray]:
    """Stop-line pieces of a road (UTM metres), bent a little so the map looks drawn."""
    if road.setting == "urban":
        stops = sorted(set(road.cuts) | {road.path[0], road.path[-1]}, key=lambda p: (p[0], -p[1]))
        if road.path[0][1] > road.path[-1][1]:  # N-S roads run north -> south
            stops = sorted(stops, key=lambda p: -p[1])
        out = []
        for a, b in zip(stops, stops[1:], strict=False):
            pts = [*_wobble(a, b, rng, 40.0, 450.0), b]
            out.append(gcj_to_utm(np.array(pts)))
        return out
    pts: list[tuple[float, float]] = []
    for a, b in zip(road.path, road.path[1:], strict=False):
        pts += _wobble(a, b, rng, 900.0, 700.0)
    pts.append(road.path[-1])
    return [gcj_to_utm(np.array(pts))]


def segments_of(road: Road, rng: np.random.Generator) -> list[tuple[LineString, float]]:
    """§5.5 segments (UTM LineStrings) with their lengths in metres."""
    limit = SPLIT_AT_M[road.road_class]
    out = []
    for piece in _pieces(road, rng):
        line = LineString(piece)
        n = 1 if line.length < limit else int(line.length // limit) + 1
        for i in range(n):
            part = substring(line, line.length * i / n, line.length * (i + 1) / n)
            out.append((part, part.length))
    return out


def _county_of(point: Point, counties: list[tuple[str, Any]]) -> str:
    for code, poly in counties:
        if poly.contains(point):
            return code
    return min(counties, key=lambda cp: cp[1].distance(point))[0]


def build_features() -> list[dict[str, Any]]:
    """Every segment as a GeoJSON feature (GCJ-02 LineString plus its attributes)."""
    raw = json.loads(COUNTIES.read_text(encoding="utf-8"))
    counties = [(str(f["properties"]["adcode"]), shape(f["geometry"])) for f in raw["features"]]
    city = shapely.union_all([p for _, p in counties]).buffer(0.01)
    rng = np.random.default_rng(GENERATOR_SEED)
    features = []
    for road in urban_roads() + intercity_roads():
        limit, typical = SPEEDS[(road.setting, road.road_class)]
        for seq, (line, length) in enumerate(segments_of(road, rng), start=1):
            gcj = utm_to_gcj(np.asarray(line.coords))
            coords = [[round(float(x), 5), round(float(y), 5)] for x, y in gcj]
            mid = Point(utm_to_gcj(np.asarray(line.interpolate(0.5, normalized=True).coords))[0])
            if not city.contains(mid):
                raise SystemExit(f"{road.code}-{seq:03d} lies outside the city: {mid}")
            vf = min(limit, round(typical * float(rng.uniform(0.93, 1.03))))
            props = {
                "segment_id": f"{road.code}-{seq:03d}",
                "road": road.name,
                "road_code": road.code,
                "road_class": road.road_class,
                "setting": road.setting,
                "seq": seq,
                "county": _county_of(mid, counties),
                "length_m": round(length, 1),
                "free_flow_kmh": float(vf),
                "speed_limit_kmh": float(limit),
            }
            geometry = {"type": "LineString", "coordinates": coords}
            features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return features


def write(out: Path = OUT) -> int:
    """Write the GeoJSON (compact, one feature per line) and return the number of segments."""
    features = build_features()
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    head = '{"type":"FeatureCollection","name":"liaocheng_roads","crs":{"type":"name","properties":{"name":"GCJ-02"}},"features":[\n'
    out.write_text(head + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
    return len(features)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the file and say how many segments it holds."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    n = write(args.out)
    print(f"wrote {n} segments to {args.out} ({args.out.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
