"""Public-safety datasets: 110 alarms, key areas and their crowds, cameras and case counts.

Privacy: records carry category, time and place only. Every schema forbids unknown fields
(`extra="forbid"` from Record), so a feed that sends a name, ID number or phone number has
that record rejected with the field named ("unknown field").

Alarm categories are checked against ALARM_CATEGORIES, a module constant. The scene option
`alarm_categories` defaults to it and may only choose and order a subset (what the wall
shows); the schema never depends on per-deployment options at import time.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

import sqlalchemy as sa
from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from data_sources.datasets.base import Dataset, Record, TimedRecord, metadata

ADCODE = r"^\d{6}$"
CODE = r"^[A-Za-z0-9_\-]{1,40}$"

AlarmCategory = Literal["刑事", "治安", "交通", "纠纷", "求助", "火灾", "其他"]
ALARM_CATEGORIES: tuple[str, ...] = get_args(AlarmCategory)
AreaKind = Literal["车站", "广场", "景区", "商圈"]
AREA_KINDS: tuple[str, ...] = get_args(AreaKind)
CaseCategory = Literal["盗窃", "诈骗", "抢劫抢夺", "故意伤害", "其他刑事"]
CASE_CATEGORIES: tuple[str, ...] = get_args(CaseCategory)

public_safety_alarms = sa.Table(
    "public_safety_alarms",
    metadata,
    sa.Column("alarm_id", sa.String(40), primary_key=True),
    sa.Column("category", sa.String(8), nullable=False),
    sa.Column("ts", sa.DateTime, nullable=False, index=True),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("county", sa.String(6), nullable=False),
)

public_safety_areas = sa.Table(
    "public_safety_areas",
    metadata,
    sa.Column("area_id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("county", sa.String(6), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
)

public_safety_crowds = sa.Table(
    "public_safety_crowds",
    metadata,
    sa.Column("area_id", sa.String(40), primary_key=True),
    sa.Column("ts", sa.DateTime, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)

public_safety_cameras = sa.Table(
    "public_safety_cameras",
    metadata,
    sa.Column("county", sa.String(6), primary_key=True),
    sa.Column("ts", sa.DateTime, primary_key=True),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("online", sa.Integer, nullable=False),
)

public_safety_cases = sa.Table(
    "public_safety_cases",
    metadata,
    sa.Column("county", sa.String(6), primary_key=True),
    sa.Column("date", sa.Date, primary_key=True),
    sa.Column("category", sa.String(8), primary_key=True),
    sa.Column("registered", sa.Integer, nullable=False),
    sa.Column("solved", sa.Integer, nullable=False),
)


class Alarm(TimedRecord):
    """One 110 alarm: category, time and WGS-84 place only — no caller or person data."""

    alarm_id: str = Field(pattern=CODE)
    category: AlarmCategory
    lon: float = Field(ge=73, le=136)
    lat: float = Field(ge=3, le=54)
    county: str = Field(pattern=ADCODE)


class KeyArea(Record):
    """A key area (station, square, scenic spot, shopping district) with its rated capacity."""

    area_id: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=64)
    kind: AreaKind
    lon: float = Field(ge=73, le=136)
    lat: float = Field(ge=3, le=54)
    county: str = Field(pattern=ADCODE)
    capacity: int = Field(gt=0, le=10_000_000)


class Crowd(TimedRecord):
    """People counted in a key area at `ts` (camera/Wi-Fi/ticket counting, no identities)."""

    area_id: str = Field(pattern=CODE)
    count: int = Field(ge=0, le=10_000_000)


class _Ratio(Record):
    """Shared check that a part never exceeds its whole, reported on the part's field."""

    @staticmethod
    def _not_above(value: int, info: ValidationInfo, whole: str) -> int:
        limit = info.data.get(whole)
        if limit is not None and value > limit:
            raise PydanticCustomError(
                "part_above_whole", "must be <= {whole} ({limit})", {"whole": whole, "limit": limit}
            )
        return value


class CameraStatus(TimedRecord, _Ratio):
    """Video cameras registered and online in one county at `ts`."""

    county: str = Field(pattern=ADCODE)
    total: int = Field(ge=0, le=1_000_000)
    online: int = Field(ge=0, le=1_000_000)

    @field_validator("online")
    @classmethod
    def _online_le_total(cls, value: int, info: ValidationInfo) -> int:
        return cls._not_above(value, info, "total")


class CaseCount(_Ratio):
    """Criminal cases registered (立案) on `date` in a county and category, and how many are solved."""

    county: str = Field(pattern=ADCODE)
    date: date
    category: CaseCategory
    registered: int = Field(ge=0, le=100_000)
    solved: int = Field(ge=0, le=100_000)

    @field_validator("solved")
    @classmethod
    def _solved_le_registered(cls, value: int, info: ValidationInfo) -> int:
        return cls._not_above(value, info, "registered")


DATASETS = (
    Dataset(
        "public_safety_alarms",
        Alarm,
        public_safety_alarms,
        "110警情（类别/时间/位置，WGS-84）",
        ("lon", "lat"),
    ),
    Dataset(
        "public_safety_areas",
        KeyArea,
        public_safety_areas,
        "重点区域及核定容量（WGS-84）",
        ("lon", "lat"),
    ),
    Dataset("public_safety_crowds", Crowd, public_safety_crowds, "重点区域实时人数"),
    Dataset("public_safety_cameras", CameraStatus, public_safety_cameras, "县区视频监控在线状态"),
    Dataset("public_safety_cases", CaseCount, public_safety_cases, "县区每日刑事立案/破案数"),
)
