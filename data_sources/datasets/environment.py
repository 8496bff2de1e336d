"""Environment datasets: air stations and their hourly readings, water sections and samples."""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import Field

from data_sources.datasets.base import Dataset, Record, TimedRecord, metadata

ADCODE = r"^\d{6}$"
CODE = r"^[A-Za-z0-9_\-]{1,32}$"

air_stations = sa.Table(
    "air_stations",
    metadata,
    sa.Column("station_id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("county", sa.String(6), nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
)

air_hourly = sa.Table(
    "air_hourly",
    metadata,
    sa.Column("station_id", sa.String(32), primary_key=True),
    sa.Column("ts", sa.DateTime, primary_key=True),
    *(sa.Column(c, sa.Float) for c in ("so2", "no2", "co", "o3", "pm10", "pm25")),
)

water_sections = sa.Table(
    "water_sections",
    metadata,
    sa.Column("section_id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("river", sa.String(64), nullable=False),
    sa.Column("county", sa.String(6), nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("target_class", sa.Integer, nullable=False),
)

water_quality = sa.Table(
    "water_quality",
    metadata,
    sa.Column("section_id", sa.String(32), primary_key=True),
    sa.Column("ts", sa.DateTime, primary_key=True),
    *(sa.Column(c, sa.Float) for c in ("do", "codmn", "nh3n", "tp")),
)


class AirStation(Record):
    """A monitoring station; coordinates are WGS-84 as surveyed by GPS."""

    station_id: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=64)
    county: str = Field(pattern=ADCODE)
    lon: float = Field(ge=73, le=136)
    lat: float = Field(ge=3, le=54)


class AirHourly(TimedRecord):
    """One station-hour of the six HJ 633 pollutants (µg/m³; CO in mg/m³)."""

    station_id: str = Field(pattern=CODE)
    so2: float | None = Field(default=None, ge=0, le=5000)
    no2: float | None = Field(default=None, ge=0, le=5000)
    co: float | None = Field(default=None, ge=0, le=200)
    o3: float | None = Field(default=None, ge=0, le=5000)
    pm10: float | None = Field(default=None, ge=0, le=5000)
    pm25: float | None = Field(default=None, ge=0, le=3000)


class WaterSection(Record):
    """A surface-water monitoring section with its GB 3838 target class."""

    section_id: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=64)
    river: str = Field(min_length=1, max_length=64)
    county: str = Field(pattern=ADCODE)
    lon: float = Field(ge=73, le=136)
    lat: float = Field(ge=3, le=54)
    target_class: int = Field(ge=1, le=5)


class WaterSample(TimedRecord):
    """One automatic water-station sample (mg/L)."""

    section_id: str = Field(pattern=CODE)
    do: float | None = Field(default=None, ge=0, le=30)
    codmn: float | None = Field(default=None, ge=0, le=100)
    nh3n: float | None = Field(default=None, ge=0, le=50)
    tp: float | None = Field(default=None, ge=0, le=10)


DATASETS = (
    Dataset("air_stations", AirStation, air_stations, "空气监测站点（WGS-84）", ("lon", "lat")),
    Dataset("air_hourly", AirHourly, air_hourly, "空气站小时浓度"),
    Dataset("water_sections", WaterSection, water_sections, "地表水断面", ("lon", "lat")),
    Dataset("water_quality", WaterSample, water_quality, "地表水自动站监测"),
)
