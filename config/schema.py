"""Pydantic models for the wall's configuration; validated once at start-up."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class Strict(BaseModel):
    """Base model that rejects unknown keys so typos fail loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CityConfig(Strict):
    """The city the wall shows; another city is another config, not code."""

    name: str = Field(min_length=1)
    adcode: str = Field(pattern=r"^\d{6}$")
    platform_title: str = "城市运行管理服务平台 · 智慧云脑"
    boundary: str = Field(min_length=1, description="county GeoJSON, relative to the repo root")
    outline: str | None = None
    name_field: str = "name"
    code_field: str = "adcode"
    center: tuple[float, float] = Field(description="(lon, lat) in GCJ-02")
    zoom: float = Field(ge=0, le=20)
    simplify_tolerance: float = Field(default=0.002, ge=0)


class MapConfig(Strict):
    """Map drawing: offline inline style, optional intranet raster tiles."""

    tile_url: str | None = Field(default=None, description="intranet XYZ raster template")
    tile_attribution: str = ""
    background: str = "#07182b"


class SqlSourceConfig(Strict):
    """A SQLAlchemy database; URL from an environment variable, else the embedded SQLite."""

    kind: Literal["sql"]
    label: str
    url_env: str = "DATABASE_URL"
    default_url: str = "sqlite:///var/city.db"
    timeout_s: float = Field(default=5.0, gt=0)


class HttpSourceConfig(Strict):
    """JSON pulled from the city big-data platform."""

    kind: Literal["http"]
    label: str
    url: HttpUrl | None = None
    url_env: str | None = None
    timeout_s: float = Field(default=5.0, gt=0)
    retries: int = Field(default=2, ge=0, le=10)


class FileSourceConfig(Strict):
    """GeoJSON or CSV files shipped with the deployment."""

    kind: Literal["file"]
    label: str
    root: str = "data"


SourceConfig = Annotated[
    SqlSourceConfig | HttpSourceConfig | FileSourceConfig, Field(discriminator="kind")
]


class SceneConfig(Strict):
    """Per-scene switch, order and options (validated by the scene's own model)."""

    enabled: bool = True
    order: int = 0
    options: dict[str, Any] = Field(default_factory=dict)


class RefreshConfig(Strict):
    """How often browsers poll and the hub re-collects."""

    browser_poll_s: float = Field(default=2.0, gt=0, le=60)
    default_product_s: float = Field(default=30.0, gt=0)
    stale_after_s: float = Field(default=120.0, gt=0)


class IngestConfig(Strict):
    """The push API for feeds; the key itself comes from the environment."""

    store: str = Field(default="citydb", description="the sql source that accepted records go to")
    api_key_env: str = "CITYOPS_INGEST_KEY"
    max_body_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_records: int = Field(default=20000, gt=0)
    future_tolerance_s: float = Field(default=600.0, ge=0, description="how far ahead a ts may be")
    area_margin_km: float = Field(
        default=5.0, ge=0, description="how far outside the city a point may be"
    )


class SimulatorConfig(Strict):
    """The seeded demo feed; off in production."""

    enabled: bool = True
    seed: int = 20191
    interval_s: float = Field(default=5.0, gt=0)
    history_days: int = Field(default=7, ge=1, le=90)


class WallConfig(Strict):
    """The whole configuration file."""

    city: CityConfig
    map: MapConfig = MapConfig()
    sources: dict[str, SourceConfig]
    scenes: dict[str, SceneConfig]
    refresh: RefreshConfig = RefreshConfig()
    ingest: IngestConfig = IngestConfig()
    simulator: SimulatorConfig = SimulatorConfig()
