"""Grid-governance and city-management datasets: unit grids, grid members, parts, cases and
the case workflow's transitions.

Cases of both scenes share one table (`source` says which: 网格 events or 城管 cases) and one
workflow. A case enters through `cases` (its 上报) and moves only through `case_transitions`,
whose writer checks every step against `indicators.cases` and the stored state, so an invalid
step is rejected and never reaches the history. The columns after `reported_at` are kept by
that writer (state; the first 受理/立案/派遣/结案/作废 time; the last 反馈 time; the current
deadline, which 延期 and 缓办 replace; counters) so the KPIs aggregate one table in SQL. Members are identified by a code, never by name or phone number.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from shapely.geometry import shape

from data_sources.datasets.base import Dataset, Record, TimedRecord, metadata, to_local_naive
from indicators.cases import State

ADCODE = r"^\d{6}$"
GRID_CODE = (
    r"^\d{14}$"  # county 6 + township 3 + community 3 + grid 2 (CJ/T 349 without its object prefix)
)
PART_ID = r"^\d{16}$"  # county 6 + major class 2 + minor class 2 + serial 6
CODE = r"^[A-Za-z0-9_\-]{1,32}$"
LON = Field(ge=73, le=136)
LAT = Field(ge=3, le=54)

CaseSource = Literal["网格", "城管"]
CaseKind = Literal["事件", "部件"]
GRID_EVENT_CATEGORIES: tuple[str, ...] = (
    "矛盾纠纷",
    "安全隐患",
    "环境卫生",
    "民生诉求",
    "治安防控",
    "特殊人群服务",
    "其他事项",
)
EVENT_CLASSES: tuple[str, ...] = (
    "市容环境",
    "宣传广告",
    "施工管理",
    "突发事件",
    "街面秩序",
    "其他事件",
)
PART_CLASSES: tuple[str, ...] = (
    "公用设施",
    "道路交通",
    "市容环境",
    "园林绿化",
    "房屋土地",
    "其他设施",
    "扩展部件",
)
PartStatus = Literal["完好", "损坏", "丢失", "占用"]
MemberStatus = Literal["在线", "离线"]
STATES: tuple[str, ...] = tuple(s.value for s in State)

grid_cells = sa.Table(
    "grid_cells",
    metadata,
    sa.Column("grid_code", sa.String(14), primary_key=True),
    sa.Column("county", sa.String(6), nullable=False),
    sa.Column("township_code", sa.String(9), nullable=False),
    sa.Column("township", sa.String(32), nullable=False),
    sa.Column("community_code", sa.String(12), nullable=False),
    sa.Column("community", sa.String(32), nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("area_km2", sa.Float, nullable=False),
    sa.Column("geometry", sa.Text, nullable=False),  # GeoJSON Polygon/MultiPolygon, WGS-84
    sa.Column("generated", sa.Boolean, nullable=False),
)
grid_members = sa.Table(
    "grid_members",
    metadata,
    sa.Column("member_id", sa.String(32), primary_key=True),
    sa.Column("grid_code", sa.String(14), nullable=False, index=True),
    sa.Column("status", sa.String(4), nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("ts", sa.DateTime, nullable=False),
)
city_parts = sa.Table(
    "city_parts",
    metadata,
    sa.Column("part_id", sa.String(16), primary_key=True),
    sa.Column("county", sa.String(6), nullable=False),
    sa.Column("minor_name", sa.String(32), nullable=False),
    sa.Column("status", sa.String(4), nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
)
cases = sa.Table(
    "cases",
    metadata,
    sa.Column("case_id", sa.String(32), primary_key=True),
    sa.Column("source", sa.String(4), nullable=False),
    sa.Column("kind", sa.String(4), nullable=False),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("subcategory", sa.String(32), nullable=False),
    sa.Column("part_id", sa.String(16)),
    sa.Column("grid_code", sa.String(14), index=True),
    sa.Column("county", sa.String(6), nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("reported_at", sa.DateTime, nullable=False),
    # Kept by the transition writer, never taken from a feed:
    sa.Column("state", sa.String(4), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),  # transitions stored so far
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("department", sa.String(32)),
    sa.Column("deadline", sa.DateTime, index=True),
    sa.Column("accepted_at", sa.DateTime),
    sa.Column("registered_at", sa.DateTime, index=True),
    sa.Column("dispatched_at", sa.DateTime),
    sa.Column("handled_at", sa.DateTime),
    sa.Column("closed_at", sa.DateTime, index=True),
    sa.Column("cancelled_at", sa.DateTime),
    sa.Column("rework_count", sa.Integer, nullable=False),
    sa.Column("extension_count", sa.Integer, nullable=False),
    sa.Index("ix_cases_source_state", "source", "state"),
)
case_transitions = sa.Table(
    "case_transitions",
    metadata,
    sa.Column("case_id", sa.String(32), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("ts", sa.DateTime, nullable=False),
    sa.Column("from_state", sa.String(4)),
    sa.Column("state", sa.String(4), nullable=False),
    sa.Column("department", sa.String(32)),
    sa.Column("deadline", sa.DateTime),
    sa.Column("note", sa.String(200)),
)


def _geometry(value: Any) -> dict:
    """A GeoJSON Polygon/MultiPolygon (object or JSON text) that shapely accepts as valid."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise PydanticCustomError("geometry", "is not JSON: {e}", {"e": str(exc)}) from None
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise PydanticCustomError("geometry", "must be a GeoJSON Polygon or MultiPolygon")
    try:
        geom = shape(value)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise PydanticCustomError("geometry", "is not a polygon: {e}", {"e": str(exc)}) from None
    if geom.is_empty or not geom.is_valid:
        raise PydanticCustomError("geometry", "is empty or self-intersecting")
    return value


class GridCell(Record):
    """A unit grid (单元网格). Codes nest: grid_code starts with community_code, which starts
    with township_code, which starts with county."""

    grid_code: str = Field(pattern=GRID_CODE)
    county: str = Field(pattern=ADCODE)
    township_code: str = Field(pattern=r"^\d{9}$")
    township: str = Field(min_length=1, max_length=32)
    community_code: str = Field(pattern=r"^\d{12}$")
    community: str = Field(min_length=1, max_length=32)
    lon: float = LON
    lat: float = LAT
    area_km2: float = Field(gt=0, le=5000)
    geometry: str = Field(description="GeoJSON Polygon/MultiPolygon in WGS-84 (object or text)")
    generated: bool = Field(description="true for grids this platform generated, not official")

    @field_validator("geometry", mode="before")
    @classmethod
    def _geojson(cls, value: Any) -> str:
        return json.dumps(_geometry(value), separators=(",", ":"))

    @model_validator(mode="after")
    def _nested(self) -> GridCell:
        for child, parent, name in (
            (self.township_code, self.county, "township_code"),
            (self.community_code, self.township_code, "community_code"),
            (self.grid_code, self.community_code, "grid_code"),
        ):
            if not child.startswith(parent):
                raise PydanticCustomError(
                    "nesting", "{name} {child} does not start with {parent}",
                    {"name": name, "child": child, "parent": parent},
                )  # fmt: skip
        return self


class GridMember(TimedRecord):
    """A grid member's (网格员) status and last position; identified by code only."""

    member_id: str = Field(pattern=CODE)
    grid_code: str = Field(pattern=GRID_CODE)
    status: MemberStatus
    lon: float = LON
    lat: float = LAT


class CityPart(Record):
    """A part (部件) of the inventory; its 16-digit id starts with its county's code."""

    part_id: str = Field(pattern=PART_ID)
    county: str = Field(pattern=ADCODE)
    minor_name: str = Field(min_length=1, max_length=32)
    status: PartStatus
    lon: float = LON
    lat: float = LAT

    @field_validator("county")
    @classmethod
    def _prefix(cls, value: str, info: ValidationInfo) -> str:
        part = info.data.get("part_id")
        if part and not part.startswith(value):
            raise PydanticCustomError("prefix", "part_id {p} does not start with {v}", {"p": part, "v": value})  # fmt: skip
        return value


class CaseReport(Record):
    """A case as reported (上报). Its workflow state is not a field: it moves by transitions."""

    case_id: str = Field(pattern=CODE)
    source: CaseSource
    kind: CaseKind
    category: str = Field(min_length=1, max_length=16)
    subcategory: str = Field(min_length=1, max_length=32)
    part_id: str | None = Field(default=None, pattern=PART_ID)
    grid_code: str | None = Field(default=None, pattern=GRID_CODE)
    county: str = Field(pattern=ADCODE)
    lon: float = LON
    lat: float = LAT
    reported_at: datetime

    @field_validator("reported_at")
    @classmethod
    def _local(cls, value: datetime) -> datetime:
        return to_local_naive(value)

    @model_validator(mode="after")
    def _consistent(self) -> CaseReport:
        known = GRID_EVENT_CATEGORIES if self.source == "网格" else (
            PART_CLASSES if self.kind == "部件" else EVENT_CLASSES
        )  # fmt: skip
        if self.category not in known:
            raise PydanticCustomError(
                "category", "category {c} is not one of {k} (source {s}, kind {kind})",
                {"c": self.category, "k": "、".join(known), "s": self.source, "kind": self.kind},
            )  # fmt: skip
        if self.kind == "部件" and self.part_id is None:
            raise PydanticCustomError("part", "part_id is required for a 部件 case")
        if self.source == "网格" and self.grid_code is None:
            raise PydanticCustomError("grid", "grid_code is required for a 网格 event")
        if self.grid_code and not self.grid_code.startswith(self.county):
            raise PydanticCustomError("grid", "grid_code {g} is not in county {c}", {"g": self.grid_code, "c": self.county})  # fmt: skip
        return self


class CaseTransition(TimedRecord):
    """One workflow step: the case enters `state` at `ts`. 派遣 names the department; 延期
    and 缓办 carry their new deadline; 派遣 may set the handling deadline (处置时限)."""

    case_id: str = Field(pattern=CODE)
    state: Literal[STATES]  # type: ignore[valid-type]
    department: str | None = Field(default=None, min_length=1, max_length=32)
    deadline: datetime | None = None
    note: str | None = Field(default=None, max_length=200)

    @field_validator("deadline")
    @classmethod
    def _local_deadline(cls, value: datetime | None) -> datetime | None:
        return None if value is None else to_local_naive(value)


DATASETS = (
    Dataset("grid_cells", GridCell, grid_cells, "单元网格（生成，WGS-84）", ("lon", "lat")),
    Dataset("grid_members", GridMember, grid_members, "网格员状态与位置（WGS-84）", ("lon", "lat")),
    Dataset("city_parts", CityPart, city_parts, "城市管理部件（WGS-84）", ("lon", "lat")),
    Dataset(
        "cases",
        CaseReport,
        cases,
        "网格事件与城管案件上报（WGS-84）",
        ("lon", "lat"),
        writer="data_sources.case_store:write_reports",
        clock="reported_at",
    ),  # fmt: skip
    Dataset(
        "case_transitions",
        CaseTransition,
        case_transitions,
        "案件流转（状态机校验）",
        writer="data_sources.case_store:write_transitions",
    ),  # fmt: skip
)
