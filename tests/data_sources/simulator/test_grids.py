"""Generated unit grids: they cover every real county exactly, nest township → community →
grid by code and by shape, validate as `grid_cells` records, and come out the same every time."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import shape

from data_sources.datasets import DATASETS
from data_sources.ingest import validate_records
from data_sources.simulator.grids import generate_grids
from tests.conftest import city_geo

SEED = 20191


@pytest.fixture(scope="module")
def geo():
    return city_geo()


@pytest.fixture(scope="module")
def cells(geo):
    return generate_grids(geo, SEED, 300)


def test_about_the_requested_number_with_unique_nested_codes(cells, geo) -> None:
    assert len(cells) == 300
    codes = [c.grid_code for c in cells]
    assert len(set(codes)) == len(codes)
    for c in cells:
        assert len(c.grid_code) == 14 and c.grid_code.isdigit()
        assert c.grid_code.startswith(c.community_code)
        assert c.community_code.startswith(c.township_code)
        assert c.township_code.startswith(c.county)
        assert c.county in geo.names
    assert {c.county for c in cells} == set(geo.names)  # every county has grids
    assert len({c.township_code for c in cells}) >= 2 * len(geo.names)


def test_grids_tile_each_county_without_overlap(cells, geo) -> None:
    for feature in geo.counties["features"]:
        county = shape(feature["geometry"]).buffer(0)
        mine = [c.polygon for c in cells if c.county == feature["properties"]["adcode"]]
        union = shapely.union_all(mine)
        assert union.symmetric_difference(county).area < 1e-6 * county.area
        assert sum(p.area for p in mine) == pytest.approx(county.area, rel=1e-6)  # no overlap


def test_townships_contain_their_grids(cells) -> None:
    towns: dict[str, list] = {}
    for c in cells:
        towns.setdefault(c.township_code, []).append(c.polygon)
    for polys in towns.values():
        town = shapely.union_all(polys)
        for p in polys:
            assert town.buffer(1e-9).covers(p)
    names = {c.township_code: c.township for c in cells}
    assert all("片区" in n for n in names.values())  # generated names, no invented places


def test_records_validate_and_carry_wgs84_geometry(cells) -> None:
    records = [c.record() for c in cells]
    rows, rejected = validate_records(DATASETS["grid_cells"], records)
    assert rejected == [] and len(rows) == len(records)
    assert all(r["generated"] is True for r in rows)
    first = cells[0]
    stored = shape(json.loads(rows[0]["geometry"]))
    # WGS-84 lies about 0.005° south-west of GCJ-02 around 聊城.
    dx = first.polygon.centroid.x - stored.centroid.x
    dy = first.polygon.centroid.y - stored.centroid.y
    assert 0.002 < dx < 0.01 and 0.0 < dy < 0.005


def test_the_same_seed_gives_the_same_grids(geo, cells) -> None:
    again = generate_grids(geo, SEED, 300)
    assert [c.grid_code for c in again] == [c.grid_code for c in cells]
    assert all(a.polygon.equals(b.polygon) for a, b in zip(again, cells, strict=True))
    other = generate_grids(geo, SEED + 1, 300)
    assert any(not a.polygon.equals(b.polygon) for a, b in zip(other, cells, strict=False))


@pytest.mark.parametrize("total", [20, 40, 150, 600])
def test_the_count_is_exact(geo, total) -> None:
    assert len(generate_grids(geo, SEED, total)) == total
