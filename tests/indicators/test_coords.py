"""Tests for indicators.coords: reference points, inverses, arrays and GeoDataFrames."""

from __future__ import annotations

import math
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon

from indicators.coords import (
    bd09_to_gcj02,
    bd09_to_gcj02_array,
    gcj02_to_bd09,
    gcj02_to_bd09_array,
    gcj02_to_wgs84,
    gcj02_to_wgs84_array,
    to_gcj02_gdf,
    to_wgs84_gdf,
    wgs84_to_gcj02,
    wgs84_to_gcj02_array,
)

TOL = 1e-6  # degrees, as recommended in standards.md §5.2


def reference_wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    """Independent scalar transcription of the public GCJ-02 formula (standards.md §5.1)."""
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    t_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y**2 + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    t_lat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    t_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    t_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    t_lon = 300.0 + x + 2.0 * y + 0.1 * x**2 + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    t_lon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    t_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    t_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = math.radians(lat)
    magic = 1 - ee * math.sin(rad) ** 2
    d_lat = t_lat * 180.0 / ((a * (1 - ee)) / (magic * math.sqrt(magic)) * math.pi)
    d_lon = t_lon * 180.0 / (a / math.sqrt(magic) * math.cos(rad) * math.pi)
    return lon + d_lon, lat + d_lat


def reference_gcj_to_bd(lon: float, lat: float) -> tuple[float, float]:
    x_pi = math.pi * 3000.0 / 180.0
    z = math.hypot(lon, lat) + 2e-5 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lon) + 3e-6 * math.cos(lon * x_pi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


# WGS-84 -> (GCJ-02, BD-09) computed once with prcoords 1.0.2 (a third-party package).
PRCOORDS = {
    "tiananmen": (
        (116.391275, 39.90765),
        (116.39751618761511, 39.90905127070822),
        (116.40388883683364, 39.915394553775016),
    ),
    "liaocheng": (
        (115.985, 36.457),
        (115.99067917116736, 36.457086629667174),
        (115.99725410362664, 36.462786064524266),
    ),
    "shanghai": (
        (121.4737, 31.2304),
        (121.47822305927693, 31.22845773757727),
        (121.484781468503, 31.234310593689997),
    ),
    "urumqi": (
        (87.6168, 43.8256),
        (87.61964994946926, 43.82680539311119),
        (87.62609977081571, 43.83294979479328),
    ),
}
OUTSIDE = {"london": (-0.1276, 51.5072), "sydney": (151.2093, -33.8688), "moscow": (37.62, 55.75)}


@pytest.mark.parametrize("name", PRCOORDS)
def test_forward_matches_references(name: str) -> None:
    wgs, gcj, bd = PRCOORDS[name]
    got = wgs84_to_gcj02(*wgs)
    assert got == pytest.approx(reference_wgs_to_gcj(*wgs), abs=1e-12)
    assert got == pytest.approx(gcj, abs=1e-9)
    assert gcj02_to_bd09(*gcj) == pytest.approx(reference_gcj_to_bd(*gcj), abs=1e-12)
    assert gcj02_to_bd09(*gcj) == pytest.approx(bd, abs=1e-9)


@pytest.mark.parametrize("name", PRCOORDS)
def test_inverses_recover_input(name: str) -> None:
    wgs, gcj, bd = PRCOORDS[name]
    assert gcj02_to_wgs84(*gcj) == pytest.approx(wgs, abs=1e-9)
    assert bd09_to_gcj02(*bd) == pytest.approx(gcj, abs=1e-9)


def test_round_trips_over_china_grid() -> None:
    lons = np.linspace(73.0, 135.0, 25)
    lats = np.linspace(4.0, 53.0, 25)
    lon, lat = (a.ravel() for a in np.meshgrid(lons, lats))
    back_lon, back_lat = gcj02_to_wgs84_array(*wgs84_to_gcj02_array(lon, lat))
    assert np.max(np.abs(back_lon - lon)) < TOL
    assert np.max(np.abs(back_lat - lat)) < TOL
    bd_lon, bd_lat = gcj02_to_bd09_array(lon, lat)
    back_lon, back_lat = bd09_to_gcj02_array(bd_lon, bd_lat)
    assert np.max(np.abs(back_lon - lon)) < TOL
    assert np.max(np.abs(back_lat - lat)) < TOL


def test_liaocheng_offset_is_about_half_a_km_east() -> None:
    lon, lat = 115.985, 36.457
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    metres_per_degree = 6371008.8 * math.pi / 180.0
    east = (g_lon - lon) * metres_per_degree * math.cos(math.radians(lat))
    north = (g_lat - lat) * metres_per_degree
    assert 480 <= math.hypot(east, north) <= 550
    assert east > 0
    assert abs(east) > 10 * abs(north)


@pytest.mark.parametrize("name", OUTSIDE)
def test_outside_china_unchanged(name: str) -> None:
    point = OUTSIDE[name]
    for func in (wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02):
        assert func(*point) == point
    for func_a in (wgs84_to_gcj02_array, gcj02_to_wgs84_array):
        lon, lat = func_a(np.array([point[0]]), np.array([point[1]]))
        assert (lon[0], lat[0]) == point


def test_returns_plain_floats() -> None:
    lon, lat = wgs84_to_gcj02(116, 40)
    assert type(lon) is float
    assert type(lat) is float


@pytest.mark.parametrize(
    ("scalar", "array", "tol"),
    [
        (wgs84_to_gcj02, wgs84_to_gcj02_array, 0.0),
        (gcj02_to_bd09, gcj02_to_bd09_array, 0.0),
        # Iterative inverses stop on the largest correction in the whole array, so an
        # element may get an extra step: equal within the 1e-9 stopping tolerance.
        (gcj02_to_wgs84, gcj02_to_wgs84_array, 1e-9),
        (bd09_to_gcj02, bd09_to_gcj02_array, 1e-9),
    ],
)
def test_arrays_equal_scalars(
    scalar: Callable[[float, float], tuple[float, float]],
    array: Callable[..., tuple[np.ndarray, np.ndarray]],
    tol: float,
) -> None:
    lon = np.array([116.391275, 115.985, -0.1276, 121.4737, 87.6168, 151.2])
    lat = np.array([39.90765, 36.457, 51.5072, 31.2304, 43.8256, -33.8])
    got_lon, got_lat = array(lon, lat)
    assert got_lon.shape == lon.shape
    for i in range(lon.size):
        assert (got_lon[i], got_lat[i]) == pytest.approx(scalar(lon[i], lat[i]), abs=tol)
    grid_lon, grid_lat = array(lon.reshape(2, 3), lat.reshape(2, 3))
    assert grid_lon.shape == grid_lat.shape == (2, 3)
    assert np.array_equal(grid_lon.ravel(), got_lon)
    assert np.array_equal(grid_lat.ravel(), got_lat)


def test_array_inputs_not_modified_and_shapes_checked() -> None:
    lon = np.array([116.0, 117.0])
    lat = np.array([40.0, 39.0])
    gcj02_to_wgs84_array(lon, lat)
    assert lon.tolist() == [116.0, 117.0]
    assert lat.tolist() == [40.0, 39.0]
    with pytest.raises(ValueError, match="shape"):
        wgs84_to_gcj02_array(lon, lat[:1])


def make_gdf() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["gate", "road", "park", "none"]},
        geometry=[
            Point(116.391275, 39.90765),
            LineString([(115.98, 36.45, 10.0), (115.99, 36.46, 20.0)]),
            Polygon([(115.9, 36.4), (116.0, 36.4), (116.0, 36.5), (115.9, 36.4)]),
            None,
        ],
        crs="EPSG:4326",
    )


def test_to_gcj02_gdf_converts_without_mutating() -> None:
    gdf = make_gdf()
    before = gdf.copy()
    out = to_gcj02_gdf(gdf)
    assert gdf.geometry.geom_equals_exact(before.geometry, tolerance=0).iloc[:3].all()
    assert out is not gdf
    assert out.crs == gdf.crs
    assert list(out["name"]) == list(gdf["name"])
    assert (out.geometry.iloc[0].x, out.geometry.iloc[0].y) == pytest.approx(
        PRCOORDS["tiananmen"][1], abs=1e-9
    )
    line = list(out.geometry.iloc[1].coords)
    assert line[0][:2] == pytest.approx(reference_wgs_to_gcj(115.98, 36.45), abs=1e-12)
    assert [c[2] for c in line] == [10.0, 20.0]
    assert out.geometry.iloc[3] is None


def test_gdf_round_trip() -> None:
    gdf = make_gdf()
    back = to_wgs84_gdf(to_gcj02_gdf(gdf))
    for original, restored in zip(gdf.geometry.iloc[:3], back.geometry.iloc[:3], strict=True):
        assert restored.equals_exact(original, tolerance=TOL)


def test_gdf_rejects_projected_crs() -> None:
    with pytest.raises(ValueError, match="projected"):
        to_gcj02_gdf(make_gdf().to_crs("EPSG:3857"))
