"""The scene contract: what a scene declares, and the pure context it renders with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    from dash import Dash
    from dash.development.base_component import Component

    from wall.runtime import Runtime


@dataclass(frozen=True)
class SceneIds:
    """Scoped component ids: every id a scene owns is `{"scene": id, "part": name}`."""

    scene: str

    def part(self, name: str) -> dict[str, str]:
        """Return the id of one part of this scene."""
        return {"scene": self.scene, "part": name}

    @property
    def tick(self) -> dict[str, str]:
        """The interval that polls for new snapshots."""
        return self.part("tick")

    @property
    def token(self) -> dict[str, str]:
        """The store holding the view token this browser has drawn."""
        return self.part("token")


@dataclass(frozen=True)
class DataNeed:
    """One data product a scene reads; the hub fetches it once per tick for all viewers."""

    product: str
    source: str
    fetch: Callable[[Any], Any]
    label: str
    refresh_s: float = 30.0
    datasets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Panel:
    """An output the live callback fills: a graph's figure or an element's children."""

    name: str
    kind: Literal["graph", "html"] = "graph"
    variant_from: str | None = None


@dataclass(frozen=True)
class Kpi:
    """A headline number a scene offers the overview."""

    key: str
    label: str
    value: float | int | str | None
    unit: str = ""
    level_color: str | None = None
    note: str = ""


@dataclass(frozen=True)
class CountyIndicator:
    """A per-county value a scene offers the overview map; `bands` are (upper edge, colour)."""

    key: str
    label: str
    unit: str = ""
    bands: tuple[tuple[float, str], ...] = ()
    zmin: float = 0.0
    zmax: float = 100.0
    higher_is_worse: bool = True


@dataclass(frozen=True)
class Alert:
    """Something an operator must see; `level` 1 is the most severe."""

    scene: str
    level: int
    text: str
    at: str = ""


@dataclass(frozen=True)
class SceneSummary:
    """What a scene tells the overview: KPIs, per-county indicators and alerts."""

    kpis: tuple[Kpi, ...] = ()
    county_values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    alerts: tuple[Alert, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (for the snapshot store)."""
        return {
            "kpis": [k.__dict__ for k in self.kpis],
            "county_values": {k: dict(v) for k, v in self.county_values.items()},
            "alerts": [a.__dict__ for a in self.alerts],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SceneSummary:
        """Rebuild a summary stored by `as_dict`."""
        return cls(
            kpis=tuple(Kpi(**k) for k in data.get("kpis", ())),
            county_values=data.get("county_values", {}),
            alerts=tuple(Alert(**a) for a in data.get("alerts", ())),
        )


@dataclass(frozen=True)
class Geo:
    """The city's boundaries, simplified for display, as plain GeoJSON (GCJ-02)."""

    counties: Mapping[str, Any]
    names: Mapping[str, str]
    center: tuple[float, float]
    zoom: float
    label_points: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    bounds: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class RenderContext:
    """Everything pure rendering needs besides the data: no connections in here."""

    city_name: str
    geo: Geo
    map_style: Mapping[str, Any]
    now: datetime
    summaries: Mapping[str, SceneSummary] = field(default_factory=dict)
    scene_titles: Mapping[str, str] = field(default_factory=dict)
    indicators: Mapping[str, CountyIndicator] = field(default_factory=dict)
    poll_s: float = 2.0
    products: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


Products = Mapping[str, Any]


@dataclass(frozen=True)
class Scene:
    """A scene's declaration. The folder provides layout, transform, queries and callbacks."""

    id: str
    title: str
    needs: tuple[DataNeed, ...]
    options: type[BaseModel]
    panels: tuple[Panel, ...]
    layout: Callable[[SceneIds, BaseModel, RenderContext], Component]
    build_view: Callable[[Products, BaseModel, RenderContext], dict[str, Any]]
    summarize: Callable[[Products, BaseModel, RenderContext], SceneSummary]
    register: Callable[[Dash, SceneIds, Runtime], None]
    refresh_s: float = 30.0
    uses_summaries: bool = False
    indicators: tuple[CountyIndicator, ...] = ()

    @property
    def ids(self) -> SceneIds:
        """Return this scene's id factory."""
        return SceneIds(self.id)
