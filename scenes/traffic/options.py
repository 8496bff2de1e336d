"""Options of the 交通运行 scene: network scope, TPI conversion bands, alerts and map limits."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from indicators.traffic import DEFAULT_TPI_DTP_EDGES, GRADES


class Options(BaseModel):
    """Per-deployment settings; every field has a bounded default so an empty block is valid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vehicles: int = Field(4000, ge=0, le=100_000, description="simulated buses and taxis")
    sim_incidents_per_day: float = Field(
        4.0, ge=0, le=50, description="mean number of simulated incidents per day"
    )
    max_points: int = Field(
        3000,
        ge=0,
        le=200_000,
        description="above this many vehicles the map draws grid-cell counts, not points",
    )
    grid_cell_deg: float = Field(
        0.012, gt=0.001, le=0.2, description="vehicle grid cell size (degrees, about 1.1 km)"
    )
    network: Literal["urban", "all"] = Field(
        "urban",
        description="network of the headline indices: the built-up (urban) roads per §5.2, or all",
    )
    tpi_dtp_edges: tuple[float, float, float, float] = Field(
        DEFAULT_TPI_DTP_EDGES,
        description="Annex C convention (UNCONFIRMED): DTP edges mapped to TPI 2/4/6/8",
    )
    congested_from: Literal["轻度拥堵", "中度拥堵", "严重拥堵"] = Field(
        "中度拥堵", description="grades counted in the congested-mileage share (this and worse)"
    )
    tpi_alert: float = Field(6.0, ge=0, le=10, description="alert (level 3) at this TPI")
    tpi_severe_alert: float = Field(8.0, ge=0, le=10, description="level 2 at this TPI")
    map_span_km: float = Field(
        40.0, ge=5, le=300, description="width of the map view around the urban network"
    )
    ranking_size: int = Field(10, ge=3, le=20, description="roads in the congestion ranking")
    incident_rows: int = Field(6, ge=1, le=20, description="rows in the incident list")
    max_alerts: int = Field(6, ge=1, le=50, description="alerts sent to the ticker")

    @field_validator("tpi_dtp_edges")
    @classmethod
    def _increasing(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not all(0 < a < b < 1 for a, b in zip(value, value[1:], strict=False)):
            raise ValueError(f"must increase strictly inside (0, 1) (got {list(value)})")
        return value

    @property
    def congested_grades(self) -> tuple[str, ...]:
        """The grades that count as congested."""
        return GRADES[GRADES.index(self.congested_from) :]
