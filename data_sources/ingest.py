"""Validate feed records, store the good ones durably, then announce them on the bus."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from data_sources.area import CityArea
from data_sources.datasets import DATASETS, Dataset, metadata
from data_sources.datasets.base import LOCAL_TZ, Rejection
from data_sources.errors import SourceError
from data_sources.sql import SqlSource

log = logging.getLogger(__name__)

_PHRASES = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "missing": "is required",
    "extra_forbidden": "unknown field",
    "string_pattern_mismatch": "does not match {pattern}",
}


class UnknownDataset(KeyError):
    """The dataset name is not one we accept."""


class StoreUnavailable(RuntimeError):
    """The store could not take the batch; nothing from it was accepted."""


@dataclass
class IngestResult:
    """What happened to a batch."""

    dataset: str
    accepted: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    published: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON body of the API response."""
        return {
            "dataset": self.dataset,
            "accepted": self.accepted,
            "rejected": [r.__dict__ for r in self.rejected],
            "published": self.published,
        }


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else repr(value)


def _plain(value: Any) -> Any:
    # pydantic reports float bounds as 0.0; feeds should read "must be >= 0".
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _rejections(index: int, exc: ValidationError) -> list[Rejection]:
    out = []
    for err in exc.errors():
        template = _PHRASES.get(err["type"])
        ctx = {k: _plain(v) for k, v in (err.get("ctx") or {}).items()}
        reason = template.format(**ctx) if template else err["msg"]
        name = ".".join(str(p) for p in err["loc"]) or "(record)"
        value = None if err["type"] == "missing" else _jsonable(err.get("input"))
        out.append(Rejection(index, name, value, reason))
    return out


@dataclass(frozen=True)
class Checks:
    """Checks that need the world outside the record: the city's area and the clock."""

    area: CityArea | None = None
    future_tolerance_s: float | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(LOCAL_TZ).replace(tzinfo=None))

    def problem(self, index: int, dataset: Dataset, row: dict[str, Any]) -> Rejection | None:
        """The first contextual problem with a validated row, or None."""
        clock = row.get(dataset.clock)
        if self.future_tolerance_s is not None and isinstance(clock, datetime):
            limit = self.now() + timedelta(seconds=self.future_tolerance_s)
            if clock > limit:
                ahead = f"more than {self.future_tolerance_s:g} s in the future (server time {self.now():%Y-%m-%dT%H:%M:%S})"
                return Rejection(index, dataset.clock, clock.isoformat(), ahead)
        if self.area is not None and dataset.point is not None:
            lon_f, lat_f = dataset.point
            lon, lat = row.get(lon_f), row.get(lat_f)
            if lon is not None and lat is not None and not self.area.contains(lon, lat):
                reason = f"outside {self.area.name} (+{self.area.margin_km:g} km): lon {lon}, lat {lat} (WGS-84)"
                return Rejection(index, lon_f, lon, reason)
        return None


def validate_records(
    dataset: Dataset, records: Sequence[Any], checks: Checks | None = None
) -> tuple[list[dict], list[Rejection]]:
    """Split records into validated rows and rejections naming index, field, value and reason."""
    good, rejected = validate_indexed(dataset, records, checks)
    return [row for _, row in good], rejected


def validate_indexed(
    dataset: Dataset, records: Sequence[Any], checks: Checks | None = None
) -> tuple[list[tuple[int, dict]], list[Rejection]]:
    """Like `validate_records`, keeping each good row's index in the batch."""
    checks = checks or Checks()
    good: dict[tuple, tuple[int, dict]] = {}
    rejected: list[Rejection] = []
    keys = [c.name for c in dataset.table.primary_key.columns]
    for i, raw in enumerate(records):
        if not isinstance(raw, dict):
            rejected.append(Rejection(i, "(record)", _jsonable(raw), "must be a JSON object"))
            continue
        try:
            row = dataset.schema.model_validate(raw).model_dump()
        except ValidationError as exc:
            rejected.append(_rejections(i, exc)[0])
            continue
        problem = checks.problem(i, dataset, row)
        if problem is not None:
            rejected.append(problem)
            continue
        if dataset.writer is None:
            good[tuple(row[k] for k in keys)] = (i, row)  # the last duplicate in a batch wins
        else:
            good[(i,)] = (i, row)  # a workflow writer decides about repeats itself
    return list(good.values()), rejected


def _writer(path: str) -> Callable[..., tuple[int, list[Rejection]]]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


class IngestService:
    """The one path every feed takes: the simulator, HTTP pushes and pulls alike."""

    def __init__(self, store: SqlSource, bus: Any, checks: Checks | None = None) -> None:
        self.store = store
        self.bus = bus
        self.checks = checks or Checks()
        self._tables_ready = False

    def prepare(self) -> None:
        """Create the dataset tables once (idempotent); raise StoreUnavailable if it is down."""
        if self._tables_ready:
            return
        try:
            self.store.create_tables(metadata)
        except SourceError as exc:
            raise StoreUnavailable(str(exc)) from exc
        self._tables_ready = True

    def ingest(self, dataset_name: str, records: Sequence[Any]) -> IngestResult:
        """Validate and store a batch; raise StoreUnavailable if the store cannot take it."""
        dataset = DATASETS.get(dataset_name)
        if dataset is None:
            raise UnknownDataset(dataset_name)
        rows, rejected = validate_indexed(dataset, records, self.checks)
        result = IngestResult(dataset_name, rejected=rejected)
        if not rows:
            return result
        self.prepare()  # a store that was down at start-up gets its tables now
        try:
            if dataset.writer is None:
                result.accepted = self.store.upsert(dataset.table, [row for _, row in rows])
            else:
                accepted, refused = _writer(dataset.writer)(self.store, rows)
                result.accepted = accepted
                result.rejected = sorted(rejected + refused, key=lambda r: r.index)
        except SourceError as exc:
            raise StoreUnavailable(str(exc)) from exc
        if not result.accepted:
            return result
        try:
            self.bus.publish(
                f"ingest.{dataset_name}",
                {"count": result.accepted, "at": datetime.now().isoformat(timespec="seconds")},
            )
            result.published = True
        except SourceError as exc:
            # Stored is what matters; the hub's periodic refresh still picks the rows up.
            log.warning(
                "stored %d %s rows but could not announce them: %s",
                result.accepted,
                dataset_name,
                exc,
            )
        return result
