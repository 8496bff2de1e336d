"""The simulator contract: each domain generates deterministic records for the ingest path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

from scenes.base import Geo

Batch = tuple[str, list[dict[str, Any]]]


class SimulatedDomain(Protocol):
    """A seeded generator: the same seed and time always give the same records."""

    name: str

    def reference(self, geo: Geo) -> list[Batch]:
        """Static records (stations, sections) that the readings refer to."""

    def history(self, geo: Geo, start: datetime, end: datetime) -> Iterator[Batch]:
        """Readings for [start, end), in time order, in batches."""

    def live(self, geo: Geo, now: datetime) -> list[Batch]:
        """Readings as a real feed would send them at `now` (the running hour so far)."""
