"""The seeded simulator: every domain's generator, fed through the validated ingest path."""

from __future__ import annotations

import importlib
import logging
import time
from datetime import datetime, timedelta

from tqdm import tqdm

from data_sources.ingest import IngestService
from data_sources.simulator.base import Batch, SimulatedDomain
from scenes.base import Geo

log = logging.getLogger(__name__)


# scene id -> module with `from_options(seed, options) -> SimulatedDomain`; one line per domain.
DOMAIN_MODULES: dict[str, str] = {
    "environment": "data_sources.simulator.environment",
    "emergency": "data_sources.simulator.emergency",
    "traffic": "data_sources.simulator.traffic",
    "public_safety": "data_sources.simulator.public_safety",
    "grid_governance": "data_sources.simulator.grid_governance",
    "city_management": "data_sources.simulator.city_management",
}


def build_domains(seed: int, scene_options: dict) -> list[SimulatedDomain]:
    """The simulated domains of the enabled scenes, sized by their options."""
    return [
        importlib.import_module(module).from_options(seed, scene_options[scene_id])
        for scene_id, module in DOMAIN_MODULES.items()
        if scene_id in scene_options
    ]


class Simulator:
    """Pushes reference data, history and live readings through `IngestService`."""

    def __init__(
        self,
        domains: list[SimulatedDomain],
        geo: Geo,
        ingest: IngestService,
        *,
        interval_s: float = 5.0,
    ):
        self.domains = domains
        self.geo = geo
        self.ingest = ingest
        self.interval_s = interval_s
        self._last = 0.0
        self._reference_sent = False

    def _send(self, batch: Batch) -> int:
        dataset, records = batch
        result = self.ingest.ingest(dataset, records)
        if result.rejected:
            first = result.rejected[0]
            log.error("simulator %s: %d rejected, first: %s", dataset, len(result.rejected), first)
        return result.accepted

    def seed_reference(self) -> int:
        """Send stations, sections and other static records."""
        return sum(self._send(b) for d in self.domains for b in d.reference(self.geo))

    def seed_history(self, days: int, *, now: datetime, progress: bool = True) -> int:
        """Send `days` of history ending at the current hour, with a progress bar per domain."""
        end = now.replace(minute=0, second=0, microsecond=0)
        start = end - timedelta(days=days)
        total = 0
        for domain in self.domains:
            batches = domain.history(self.geo, start, end)
            for batch in tqdm(
                batches, desc=f"seed {domain.name}", unit="batch", disable=not progress
            ):
                total += self._send(batch)
        return total

    def feed(self, now: datetime | None = None) -> int:
        """Send live readings if the interval has passed (called by the hub's loop)."""
        if time.monotonic() - self._last < self.interval_s:
            return 0
        self._last = time.monotonic()
        if not self._reference_sent:
            # Live readings refer to stations: make sure they exist even without `seed`.
            self.seed_reference()
            self._reference_sent = True
        from data_sources.hub import now_local

        at = now or now_local()
        return sum(self._send(b) for d in self.domains for b in d.live(self.geo, at))
