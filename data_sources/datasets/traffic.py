"""Traffic datasets: road segments (reference), segment speeds, incidents and vehicle positions.

Coordinates: feeds send WGS-84 (GPS). A segment's display geometry `path` is GCJ-02 (like
the county boundaries, as map vendors publish road geometry); the ingest city check applies to
its WGS-84 midpoint `lon`/`lat`, which every segment must carry.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import Field, field_validator, model_validator

from data_sources.datasets.base import Dataset, Record, TimedRecord, metadata, to_local_naive

ADCODE = r"^\d{6}$"
CODE = r"^[A-Za-z0-9_\-]{1,32}$"
RoadClass = Literal["快速路", "主干路", "次干路", "支路"]
IncidentKind = Literal["accident", "construction", "closure"]
VehicleKind = Literal["bus", "taxi"]
Setting = Literal["urban", "intercity"]
# 7+ digits in a row look like a phone, ID or plate-registry number: never in a description.
_PERSONAL = re.compile(r"\d{7,}")

traffic_segments = sa.Table(
    "traffic_segments",
    metadata,
    sa.Column("segment_id", sa.String(32), primary_key=True),
    sa.Column("road", sa.String(64), nullable=False),
    sa.Column("road_class", sa.String(8), nullable=False),
    sa.Column("setting", sa.String(16), nullable=False),
    sa.Column("county", sa.String(6), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("length_m", sa.Float, nullable=False),
    sa.Column("free_flow_kmh", sa.Float, nullable=False),
    sa.Column("speed_limit_kmh", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("path", sa.JSON, nullable=False),
)

traffic_speed = sa.Table(
    "traffic_speed",
    metadata,
    sa.Column("segment_id", sa.String(32), primary_key=True),
    sa.Column("ts", sa.DateTime, primary_key=True),
    sa.Column("speed_kmh", sa.Float, nullable=False),
    sa.Index("ix_traffic_speed_ts", "ts"),
)

traffic_incidents = sa.Table(
    "traffic_incidents",
    metadata,
    sa.Column("incident_id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("segment_id", sa.String(32), nullable=False),
    sa.Column("ts", sa.DateTime, nullable=False),
    sa.Column("end_ts", sa.DateTime),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("description", sa.String(120), nullable=False),
)

traffic_vehicles = sa.Table(
    "traffic_vehicles",
    metadata,
    sa.Column("vehicle_id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("ts", sa.DateTime, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("speed_kmh", sa.Float, nullable=False),
    sa.Index("ix_traffic_vehicles_ts", "ts"),
)


class TrafficSegment(Record):
    """An evaluation segment (GB/T 33171 §5.5): class, length, free-flow speed and geometry."""

    segment_id: str = Field(pattern=CODE)
    road: str = Field(min_length=1, max_length=64)
    road_class: RoadClass
    setting: Setting = Field(description="urban: the built-up evaluation network (§5.2)")
    county: str = Field(pattern=ADCODE)
    seq: int = Field(ge=0, le=100_000)
    length_m: float = Field(gt=0, le=50_000)
    free_flow_kmh: float = Field(gt=0, le=150)
    speed_limit_kmh: float = Field(gt=0, le=150)
    lon: float = Field(ge=73, le=136, description="WGS-84 midpoint (checked inside the city)")
    lat: float = Field(ge=3, le=54)
    path: list[tuple[float, float]] = Field(min_length=2, max_length=2000, description="GCJ-02")

    @field_validator("path")
    @classmethod
    def _in_china(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for lon, lat in value:
            if not (73 <= lon <= 136 and 3 <= lat <= 54):
                raise ValueError(f"point ({lon}, {lat}) is not a lon/lat in China")
        return value

    @model_validator(mode="after")
    def _capped(self) -> TrafficSegment:
        # §7.2.1.2: the free-flow speed is capped at the speed limit.
        if self.free_flow_kmh > self.speed_limit_kmh:
            raise ValueError(
                f"free_flow_kmh {self.free_flow_kmh:g} exceeds speed_limit_kmh {self.speed_limit_kmh:g}"
            )
        return self


class TrafficSpeed(TimedRecord):
    """A segment's average travel speed over an interval of at most 5 min (§7.2.1.3)."""

    segment_id: str = Field(pattern=CODE)
    speed_kmh: float = Field(ge=0, le=200)


class TrafficIncident(TimedRecord):
    """An accident, construction or closure; `ts` is its start, `end_ts` its (planned) end."""

    incident_id: str = Field(pattern=CODE)
    kind: IncidentKind
    segment_id: str = Field(pattern=CODE)
    end_ts: datetime | None = None
    lon: float = Field(ge=73, le=136)
    lat: float = Field(ge=3, le=54)
    description: str = Field(min_length=1, max_length=120)

    @field_validator("end_ts")
    @classmethod
    def _local_end(cls, value: datetime | None) -> datetime | None:
        return None if value is None else to_local_naive(value)

    @field_validator("description")
    @classmethod
    def _no_personal_data(cls, value: str) -> str:
        if _PERSONAL.search(value):
            raise ValueError("must not contain personal data (phone, ID or long numbers)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TrafficIncident:
        if self.end_ts is not None and self.end_ts < self.ts:
            raise ValueError(
                f"end_ts {self.end_ts:%Y-%m-%d %H:%M} is before ts {self.ts:%Y-%m-%d %H:%M}"
            )
        return self


class TrafficVehicle(TimedRecord):
    """A bus or taxi GPS fix (WGS-84); only the latest fix per vehicle is kept."""

    vehicle_id: str = Field(pattern=CODE)
    kind: VehicleKind
    lon: float = Field(ge=73, le=136)
    lat: float = Field(ge=3, le=54)
    speed_kmh: float = Field(ge=0, le=200)


DATASETS = (
    Dataset(
        "traffic_segments",
        TrafficSegment,
        traffic_segments,
        "路段（GB/T 33171 §5.5 分段；path 为 GCJ-02，lon/lat 为 WGS-84 中点）",
        ("lon", "lat"),
    ),
    Dataset("traffic_speed", TrafficSpeed, traffic_speed, "路段平均行程车速（≤5 分钟）"),
    Dataset(
        "traffic_incidents",
        TrafficIncident,
        traffic_incidents,
        "交通事件：事故/施工/封闭（WGS-84）",
        ("lon", "lat"),
    ),
    Dataset(
        "traffic_vehicles",
        TrafficVehicle,
        traffic_vehicles,
        "公交/出租车最新定位（WGS-84）",
        ("lon", "lat"),
    ),
)
