"""Emergency datasets: events and their timelines, weather warnings, resources, risk sources,
IoT sensors and readings. Coordinates are WGS-84; no record carries personal data (names are
places or organisations, never people; no phone or ID numbers)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from data_sources.datasets.base import Dataset, Record, TimedRecord, metadata, to_local_naive
from indicators.emergency import (
    Colour,
    EventType,
    Grade,
    WarningType,
    accident_grade,
    warning_problem,
)

ADCODE = r"^\d{6}$"
CODE = r"^[A-Za-z0-9_\-]{1,32}$"
LON = Field(ge=73, le=136)
LAT = Field(ge=3, le=54)
Status = Literal["处置中", "已结束"]
Stage = Literal["接报", "先期处置", "响应启动", "力量到场", "处置", "研判", "响应调整", "结束"]
ResourceKind = Literal["shelter", "rescue_team", "depot"]
RiskKind = Literal["危化品企业", "加油站", "燃气场站", "尾矿库", "烟花爆竹仓库", "人员密集场所"]
SensorKind = Literal["河道水位", "燃气浓度", "积水深度"]


def _col(name: str, kind: sa.types.TypeEngine, **kw: object) -> sa.Column:
    return sa.Column(name, kind, **kw)


emergency_events = sa.Table(
    "emergency_events",
    metadata,
    _col("event_id", sa.String(32), primary_key=True),
    _col("type", sa.String(16), nullable=False),
    _col("subtype", sa.String(32), nullable=False),
    _col("grade", sa.String(4), nullable=False),
    _col("place", sa.String(64), nullable=False),
    _col("county", sa.String(6), nullable=False),
    _col("lon", sa.Float, nullable=False),
    _col("lat", sa.Float, nullable=False),
    _col("started_at", sa.DateTime, nullable=False),
    _col("status", sa.String(8), nullable=False),
    _col("deaths", sa.Integer),
    _col("serious_injuries", sa.Integer),
    _col("direct_loss", sa.Float),
)
emergency_event_log = sa.Table(
    "emergency_event_log",
    metadata,
    _col("event_id", sa.String(32), primary_key=True),
    _col("ts", sa.DateTime, primary_key=True),
    _col("stage", sa.String(8), nullable=False),
    _col("text", sa.String(200), nullable=False),
)
emergency_warnings = sa.Table(
    "emergency_warnings",
    metadata,
    _col("warning_id", sa.String(32), primary_key=True),
    _col("type", sa.String(8), nullable=False),
    _col("colour", sa.String(2), nullable=False),
    _col("county", sa.String(6), nullable=False),
    _col("issued_at", sa.DateTime, nullable=False),
    _col("expires_at", sa.DateTime, nullable=False),
)
emergency_resources = sa.Table(
    "emergency_resources",
    metadata,
    _col("resource_id", sa.String(32), primary_key=True),
    _col("kind", sa.String(16), nullable=False),
    _col("name", sa.String(64), nullable=False),
    _col("county", sa.String(6), nullable=False),
    _col("lon", sa.Float, nullable=False),
    _col("lat", sa.Float, nullable=False),
    _col("capacity", sa.Integer, nullable=False),
    _col("occupied", sa.Integer),
)
emergency_risk_sources = sa.Table(
    "emergency_risk_sources",
    metadata,
    _col("source_id", sa.String(32), primary_key=True),
    _col("kind", sa.String(16), nullable=False),
    _col("name", sa.String(64), nullable=False),
    _col("county", sa.String(6), nullable=False),
    _col("lon", sa.Float, nullable=False),
    _col("lat", sa.Float, nullable=False),
    _col("risk_level", sa.Integer, nullable=False),
)
emergency_sensors = sa.Table(
    "emergency_sensors",
    metadata,
    _col("sensor_id", sa.String(32), primary_key=True),
    _col("kind", sa.String(16), nullable=False),
    _col("name", sa.String(64), nullable=False),
    _col("county", sa.String(6), nullable=False),
    _col("lon", sa.Float, nullable=False),
    _col("lat", sa.Float, nullable=False),
    _col("unit", sa.String(16), nullable=False),
    _col("threshold", sa.Float, nullable=False),
)
emergency_readings = sa.Table(
    "emergency_readings",
    metadata,
    _col("sensor_id", sa.String(32), primary_key=True),
    _col("ts", sa.DateTime, primary_key=True),
    _col("value", sa.Float, nullable=False),
)


class EmergencyEvent(Record):
    """One emergency; 事故灾难 without a grade get the Decree 493 grade of their casualties/loss."""

    event_id: str = Field(pattern=CODE)
    type: EventType
    subtype: str = Field(min_length=1, max_length=32)
    place: str = Field(min_length=1, max_length=64, description="place name, never a person")
    county: str = Field(pattern=ADCODE)
    lon: float = LON
    lat: float = LAT
    started_at: datetime
    status: Status
    deaths: int | None = Field(default=None, ge=0, le=100_000)
    serious_injuries: int | None = Field(default=None, ge=0, le=100_000)
    direct_loss: float | None = Field(default=None, ge=0, le=1e13, description="元")
    # Last, so its validator sees the type and the casualty fields.
    grade: Grade | None = Field(default=None, validate_default=True)

    @field_validator("started_at")
    @classmethod
    def _local(cls, value: datetime) -> datetime:
        return to_local_naive(value)

    @field_validator("grade")
    @classmethod
    def _grade(cls, value: str | None, info: ValidationInfo) -> str:
        if value is not None:
            return value
        data = info.data
        counts = [data.get(k) for k in ("deaths", "serious_injuries", "direct_loss")]
        if data.get("type") != "事故灾难" or all(v is None for v in counts):
            raise PydanticCustomError(
                "grade_required", "is required unless a 事故灾难 gives deaths/injuries/loss"
            )
        return accident_grade(*(v or 0 for v in counts))


class EmergencyLogEntry(TimedRecord):
    """One step of an event's timeline (接报 → 响应启动 → 力量到场 → 处置 → 结束)."""

    event_id: str = Field(pattern=CODE)
    stage: Stage
    text: str = Field(min_length=1, max_length=200)


class EmergencyWarning(Record):
    """A meteorological warning signal in force for a county (per-type colours checked)."""

    warning_id: str = Field(pattern=CODE)
    type: WarningType
    colour: Colour
    county: str = Field(pattern=ADCODE)
    issued_at: datetime
    expires_at: datetime

    @field_validator("issued_at", "expires_at")
    @classmethod
    def _local(cls, value: datetime) -> datetime:
        return to_local_naive(value)

    @field_validator("colour")
    @classmethod
    def _allowed(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("type")
        problem = warning_problem(kind, value) if kind else None
        if problem:
            raise PydanticCustomError("colour_not_allowed", problem)
        return value

    @field_validator("expires_at")
    @classmethod
    def _after_issue(cls, value: datetime, info: ValidationInfo) -> datetime:
        issued = info.data.get("issued_at")
        if issued is not None and value <= issued:
            raise PydanticCustomError("expiry", "must be after issued_at")
        return value


class EmergencyResource(Record):
    """A shelter (capacity persons), rescue team (members) or depot (items); named by place/unit."""

    resource_id: str = Field(pattern=CODE)
    kind: ResourceKind
    name: str = Field(min_length=1, max_length=64)
    county: str = Field(pattern=ADCODE)
    lon: float = LON
    lat: float = LAT
    capacity: int = Field(ge=0, le=10_000_000)
    occupied: int | None = Field(default=None, ge=0, le=10_000_000)

    @field_validator("occupied")
    @classmethod
    def _occupied(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("kind") != "shelter":
            raise PydanticCustomError("occupied", "only shelters have an occupancy")
        if value is not None and value > info.data.get("capacity", value):
            raise PydanticCustomError("occupied", "must be <= capacity")
        return value


class EmergencyRiskSource(Record):
    """A hazard site; risk_level 1 重大 … 4 低 (the 安全风险四级 practice)."""

    source_id: str = Field(pattern=CODE)
    kind: RiskKind
    name: str = Field(min_length=1, max_length=64)
    county: str = Field(pattern=ADCODE)
    lon: float = LON
    lat: float = LAT
    risk_level: int = Field(ge=1, le=4)


class EmergencySensor(Record):
    """An IoT sensor with an upper alarm threshold in its unit."""

    sensor_id: str = Field(pattern=CODE)
    kind: SensorKind
    name: str = Field(min_length=1, max_length=64)
    county: str = Field(pattern=ADCODE)
    lon: float = LON
    lat: float = LAT
    unit: str = Field(min_length=1, max_length=16)
    threshold: float = Field(ge=0, le=1e6)


class EmergencyReading(TimedRecord):
    """One sensor value (levels, concentrations and depths are non-negative)."""

    sensor_id: str = Field(pattern=CODE)
    value: float = Field(ge=0, le=1e6)


DATASETS = (
    Dataset(
        "emergency_events", EmergencyEvent, emergency_events, "突发事件（WGS-84）", ("lon", "lat")
    ),
    Dataset("emergency_event_log", EmergencyLogEntry, emergency_event_log, "事件处置时间线"),
    Dataset("emergency_warnings", EmergencyWarning, emergency_warnings, "气象预警信号"),
    Dataset(
        "emergency_resources",
        EmergencyResource,
        emergency_resources,
        "避难场所/救援队伍/物资储备（WGS-84）",
        ("lon", "lat"),
    ),  # fmt: skip
    Dataset(
        "emergency_risk_sources",
        EmergencyRiskSource,
        emergency_risk_sources,
        "风险源（WGS-84）",
        ("lon", "lat"),
    ),  # fmt: skip
    Dataset(
        "emergency_sensors",
        EmergencySensor,
        emergency_sensors,
        "物联感知设备（WGS-84）",
        ("lon", "lat"),
    ),  # fmt: skip
    Dataset("emergency_readings", EmergencyReading, emergency_readings, "物联感知读数"),
)
