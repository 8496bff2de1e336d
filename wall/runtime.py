"""Runtime: the sources, bus, store, ingest path and hub built for one app instance."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from config import Settings
from config.schema import FileSourceConfig, HttpSourceConfig, SqlSourceConfig
from data_sources.area import city_area
from data_sources.base import Health
from data_sources.errors import SourceError
from data_sources.files import FileSource
from data_sources.http_feed import HttpSource
from data_sources.hub import Hub, now_local
from data_sources.ingest import Checks, IngestService, StoreUnavailable
from data_sources.memory import MemoryBackend
from data_sources.redis_bus import RedisBackend
from data_sources.sql import SqlSource
from scenes import SCENES_BY_ID
from scenes.base import Geo, RenderContext, Scene, SceneSummary
from scenes.render import map_style
from wall.geo import load_geo

log = logging.getLogger(__name__)


def build_source(name: str, cfg: Any, settings: Settings) -> Any:
    """Create the adapter for one configured source (no connection is opened yet)."""
    if isinstance(cfg, SqlSourceConfig):
        url = settings.env(cfg.url_env) or cfg.default_url
        return SqlSource(name, url, timeout_s=cfg.timeout_s, root=settings.root)
    if isinstance(cfg, HttpSourceConfig):
        url = settings.env(cfg.url_env) or (str(cfg.url) if cfg.url else None)
        return HttpSource(name, url, timeout_s=cfg.timeout_s, retries=cfg.retries)
    if isinstance(cfg, FileSourceConfig):
        return FileSource(name, settings.path(cfg.root))
    raise TypeError(f"sources.{name}: unsupported kind {type(cfg).__name__}")


def build_backend(redis_url: str | None) -> MemoryBackend | RedisBackend:
    """Redis when REDIS_URL is set, else the in-process equivalent."""
    return RedisBackend(redis_url) if redis_url else MemoryBackend()


@dataclass
class Runtime:
    """Everything the app needs at run time; built by `create_app`, never at import."""

    settings: Settings
    sources: dict[str, Any]
    backend: MemoryBackend | RedisBackend
    geo: Geo
    scenes: dict[str, Scene]
    ingest: IngestService
    hub: Hub
    role: str = "all"
    simulator: Any = None
    _subs: list[Any] = field(default_factory=list)

    @property
    def store(self) -> SqlSource:
        """The SQL source that ingest writes to."""
        return self.ingest.store

    def context(
        self,
        summaries: Mapping[str, SceneSummary] | None = None,
        products: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> RenderContext:
        """Build the pure render context for this moment."""
        cfg = self.settings.config
        return RenderContext(
            city_name=cfg.city.name,
            geo=self.geo,
            map_style=map_style(cfg.map.background, cfg.map.tile_url, cfg.map.tile_attribution),
            now=now_local(),
            summaries=summaries or {},
            scene_titles={sid: s.title for sid, s in self.scenes.items()},
            indicators={
                f"{sid}.{i.key}": i for sid, s in self.scenes.items() for i in s.indicators
            },
            poll_s=cfg.refresh.browser_poll_s,
            products=products or {},
        )

    def read(self, key: str) -> Any:
        """Read one snapshot-store key; a store outage reads as "nothing new"."""
        try:
            return self.backend.get(key)
        except SourceError as exc:
            log.warning("snapshot store unreadable: %s", exc)
            return None

    def read_many(self, keys: list[str]) -> list[Any]:
        """Read several snapshot-store keys in one round trip."""
        try:
            return self.backend.get_many(keys)
        except SourceError as exc:
            log.warning("snapshot store unreadable: %s", exc)
            return [None] * len(keys)

    def health(self) -> list[Health]:
        """Each source's health, plus the bus/store."""
        return [s.health() for s in self.sources.values()] + [self.backend.health()]

    def prepare_store(self) -> None:
        """Create the ingest tables; if the store is down, start degraded and retry on ingest."""
        try:
            self.ingest.prepare()
        except StoreUnavailable as exc:
            # A database outage must not crash-loop the wall: scenes go stale, ingest says 503.
            log.warning("store unavailable at start-up, running degraded: %s", exc)

    def start(self) -> None:
        """Subscribe the hub to ingest news and start collecting (if this role collects)."""
        if self.role in ("all", "collector") and not self._subs:
            self._subs.append(self.backend.subscribe("ingest.*", self.hub.on_ingest))
            if self.simulator is not None:
                self.hub.feeds.append(self.simulator.feed)
            self.hub.start()

    def close(self) -> None:
        """Stop the hub and release every connection."""
        self.hub.stop()
        for sub in self._subs:
            sub.close()
        self._subs.clear()
        for source in self.sources.values():
            source.close()
        self.backend.close()


def build_runtime(
    settings: Settings, *, redis_url: str | None = None, role: str | None = None
) -> Runtime:
    """Wire sources, backend, geo, ingest and hub from validated settings."""
    cfg = settings.config
    sources = {name: build_source(name, sc, settings) for name, sc in cfg.sources.items()}
    store = sources.get(cfg.ingest.store)
    if not isinstance(store, SqlSource):
        raise ValueError(f"ingest.store: must name a sql source (got {cfg.ingest.store!r})")
    backend = build_backend(redis_url if redis_url is not None else os.environ.get("REDIS_URL"))
    geo = load_geo(
        settings.path(cfg.city.boundary),
        name_field=cfg.city.name_field,
        code_field=cfg.city.code_field,
        center=cfg.city.center,
        zoom=cfg.city.zoom,
        tolerance=cfg.city.simplify_tolerance,
    )
    scenes = {sid: SCENES_BY_ID[sid] for sid in settings.scene_order}
    hub = Hub(
        {sid: (scenes[sid], settings.scene_options[sid]) for sid in scenes},
        sources,
        backend,
        RenderContext,  # replaced below by the runtime's own context builder
        owner=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}",
    )
    rt = Runtime(
        settings=settings,
        sources=sources,
        backend=backend,
        geo=geo,
        scenes=scenes,
        ingest=IngestService(
            store,
            backend,
            Checks(
                area=city_area(cfg.city.name, geo.counties, cfg.ingest.area_margin_km),
                future_tolerance_s=cfg.ingest.future_tolerance_s,
            ),
        ),
        hub=hub,
        role=role or os.environ.get("CITYOPS_ROLE", "all"),
    )
    hub.context = rt.context
    if cfg.simulator.enabled:
        from data_sources.simulator import Simulator, build_domains

        domains = build_domains(cfg.simulator.seed, dict(settings.scene_options))
        rt.simulator = Simulator(domains, geo, rt.ingest, interval_s=cfg.simulator.interval_s)
    return rt
