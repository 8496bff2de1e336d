"""WGS-84 / GCJ-02 / BD-09 coordinate conversions for scalars, numpy arrays and GeoDataFrames."""

from __future__ import annotations

import math
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

#: Krasovsky 1940 ellipsoid used by the public GCJ-02 algorithm.
KRASOVSKY_A: float = 6378245.0
KRASOVSKY_EE: float = 0.00669342162296594323

#: Convention (eviltransform/prcoords/coord-convert box), not an official border:
#: (min_lon, min_lat, max_lon, max_lat). Points outside are returned unchanged.
#: Libraries disagree near the edges (Seoul is wrongly inside), so do not rely on them.
CHINA_BBOX: tuple[float, float, float, float] = (72.004, 0.8293, 137.8347, 55.8271)

#: Inverse iterations stop when the correction is below this (degrees) ...
INVERSE_TOLERANCE: float = 1e-9
#: ... or after this many iterations.
INVERSE_MAX_ITERATIONS: int = 30

_X_PI = math.pi * 3000.0 / 180.0

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike
_Pair = tuple[FloatArray, FloatArray]


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> _Pair:
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    if lon_a.shape != lat_a.shape:
        raise ValueError(f"lon and lat shapes differ: {lon_a.shape} vs {lat_a.shape}")
    return lon_a, lat_a


def _in_china(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    min_lon, min_lat, max_lon, max_lat = CHINA_BBOX
    return (lon >= min_lon) & (lon <= max_lon) & (lat >= min_lat) & (lat <= max_lat)


def _gcj_offset(lon: FloatArray, lat: FloatArray) -> _Pair:
    """GCJ-02 minus WGS-84 in degrees at a WGS-84 point (no box test)."""
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _wgs_to_gcj_raw(lon: FloatArray, lat: FloatArray) -> _Pair:
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def _gcj_to_bd_raw(lon: FloatArray, lat: FloatArray) -> _Pair:
    z = np.sqrt(lon * lon + lat * lat) + 2e-5 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 3e-6 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_to_gcj_approx(lon: FloatArray, lat: FloatArray) -> _Pair:
    x = lon - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 2e-5 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 3e-6 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(
    forward: Callable[[FloatArray, FloatArray], _Pair],
    lon: FloatArray,
    lat: FloatArray,
    start: _Pair,
    inside: npt.NDArray[np.bool_],
) -> _Pair:
    """Solve forward(w) = (lon, lat) by the fixed-point step w <- w - (forward(w) - target)."""
    w_lon, w_lat = start
    for _ in range(INVERSE_MAX_ITERATIONS):
        f_lon, f_lat = forward(w_lon, w_lat)
        e_lon, e_lat = f_lon - lon, f_lat - lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        err = np.maximum(np.abs(e_lon), np.abs(e_lat))[inside]
        if err.size == 0 or float(err.max()) < INVERSE_TOLERANCE:
            break
    return w_lon, w_lat


def _only_inside(inside: npt.NDArray[np.bool_], new: _Pair, old: _Pair) -> _Pair:
    return np.where(inside, new[0], old[0]), np.where(inside, new[1], old[1])


def wgs84_to_gcj02_array(lon: ArrayLike, lat: ArrayLike) -> _Pair:
    """Shift GPS (WGS-84) arrays onto Chinese web maps (GCJ-02); outside China unchanged."""
    lon_a, lat_a = _as_arrays(lon, lat)
    inside = _in_china(lon_a, lat_a)
    return _only_inside(inside, _wgs_to_gcj_raw(lon_a, lat_a), (lon_a, lat_a))


def gcj02_to_wgs84_array(lon: ArrayLike, lat: ArrayLike) -> _Pair:
    """Recover WGS-84 from GCJ-02 arrays iteratively (<1e-9° where it converges)."""
    lon_a, lat_a = _as_arrays(lon, lat)
    inside = _in_china(lon_a, lat_a)
    result = _invert(_wgs_to_gcj_raw, lon_a, lat_a, (lon_a.copy(), lat_a.copy()), inside)
    return _only_inside(inside, result, (lon_a, lat_a))


def gcj02_to_bd09_array(lon: ArrayLike, lat: ArrayLike) -> _Pair:
    """Shift GCJ-02 arrays to Baidu's BD-09; outside China unchanged."""
    lon_a, lat_a = _as_arrays(lon, lat)
    inside = _in_china(lon_a, lat_a)
    return _only_inside(inside, _gcj_to_bd_raw(lon_a, lat_a), (lon_a, lat_a))


def bd09_to_gcj02_array(lon: ArrayLike, lat: ArrayLike) -> _Pair:
    """Bring Baidu BD-09 arrays back to GCJ-02, refining the usual approximate formula."""
    lon_a, lat_a = _as_arrays(lon, lat)
    inside = _in_china(lon_a, lat_a)
    start = _bd_to_gcj_approx(lon_a, lat_a)
    result = _invert(_gcj_to_bd_raw, lon_a, lat_a, start, inside)
    return _only_inside(inside, result, (lon_a, lat_a))


def _scalar(
    func: Callable[[ArrayLike, ArrayLike], _Pair], lon: float, lat: float
) -> tuple[float, float]:
    out_lon, out_lat = func(lon, lat)
    return float(out_lon), float(out_lat)


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Shift one GPS (WGS-84) point so it lands correctly on Amap/Tencent base maps."""
    return _scalar(wgs84_to_gcj02_array, lon, lat)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Turn one GCJ-02 point back into WGS-84 (iterative inverse, error < 1e-6°)."""
    return _scalar(gcj02_to_wgs84_array, lon, lat)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """Shift one GCJ-02 point so it lands correctly on Baidu base maps."""
    return _scalar(gcj02_to_bd09_array, lon, lat)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Turn one Baidu BD-09 point back into GCJ-02."""
    return _scalar(bd09_to_gcj02_array, lon, lat)


def _convert_gdf(
    gdf: gpd.GeoDataFrame, func: Callable[[ArrayLike, ArrayLike], _Pair]
) -> gpd.GeoDataFrame:
    if gdf.crs is not None and not gdf.crs.is_geographic:
        raise ValueError(f"expected longitude/latitude degrees, got projected CRS {gdf.crs}")

    def on_coords(coords: FloatArray) -> FloatArray:
        out = np.array(coords, dtype=np.float64, copy=True)
        out[:, 0], out[:, 1] = func(coords[:, 0], coords[:, 1])
        return out

    result = gdf.copy()
    geometry_columns = [c for c in gdf.columns if isinstance(gdf[c], gpd.GeoSeries)]
    for column in geometry_columns:
        series = gdf[column]
        moved = shapely.transform(np.asarray(series.values), on_coords, include_z=None)
        result[column] = gpd.GeoSeries(moved, index=gdf.index, crs=series.crs)
    return result


def to_gcj02_gdf(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a WGS-84 GeoDataFrame's copy in GCJ-02 so layers align on Chinese base maps.

    Every geometry column is converted; Z values are kept. The CRS label is left as
    is (GCJ-02 has no EPSG code). The input is not modified.
    """
    return _convert_gdf(gdf, wgs84_to_gcj02_array)


def to_wgs84_gdf(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a GCJ-02 GeoDataFrame's copy in WGS-84 for GIS exchange; input untouched."""
    return _convert_gdf(gdf, gcj02_to_wgs84_array)
