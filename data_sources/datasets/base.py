"""What an ingest dataset is: a pydantic record schema bound to a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, field_validator

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
metadata = sa.MetaData()


class Record(BaseModel):
    """Base record: unknown fields are rejected, timestamps are stored as local wall time."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def to_local_naive(value: datetime) -> datetime:
    """Store times as naive Asia/Shanghai time; aware inputs are converted first."""
    if value.tzinfo is not None:
        value = value.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return value


def local_now(at: datetime | None = None) -> datetime:
    """`at` (or now) as naive Asia/Shanghai wall time: the clock the store's times are in."""
    if at is None:
        return datetime.now(LOCAL_TZ).replace(tzinfo=None)
    return to_local_naive(at)


class TimedRecord(Record):
    """A record with a `ts` timestamp."""

    ts: datetime

    @field_validator("ts")
    @classmethod
    def _local(cls, value: datetime) -> datetime:
        return to_local_naive(value)


@dataclass(frozen=True)
class Dataset:
    """An ingest dataset: its schema, its table and a one-line description for the docs."""

    name: str
    schema: type[Record]
    table: sa.Table
    description: str
    point: tuple[str, str] | None = None  # (lon field, lat field), WGS-84, checked against the city
    # "module:function" storing validated rows whose acceptance depends on what is stored
    # (a workflow); called as f(store, [(index, row)]) -> (accepted, [Rejection]). None: upsert.
    writer: str | None = None
    clock: str = "ts"  # the time field that may not lie in the future (ingest.future_tolerance_s)


@dataclass
class Rejection:
    """Why one record was refused."""

    index: int
    field: str
    value: Any
    reason: str
