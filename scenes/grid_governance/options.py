"""Options of the 网格化治理 scene: alert threshold, heat bands, list sizes and the simulator."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

DETAIL_CAP = 50  # open events per grid kept in the detail product (queries.py); detail_rows <= this


class Options(BaseModel):
    """Per-deployment settings; every field has a bounded default so an empty block is valid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    open_alert: int = Field(
        6, ge=1, le=1000, description="a grid with at least this many open events raises an alert"
    )
    heat_bands: tuple[int, ...] = Field(
        (1, 3, 6, 10), description="upper edges (open events per grid) of the heat-map colours"
    )
    detail_rows: int = Field(
        12, ge=3, le=DETAIL_CAP, description="events listed for a clicked grid"
    )
    member_rows: int = Field(4, ge=1, le=12, description="grid members listed for a clicked grid")
    member_timeout_min: int = Field(
        30,
        ge=5,
        le=1440,
        description="a member whose last report is older than this counts as offline (失联)",
    )
    township_rows: int = Field(
        8, ge=3, le=20, description="townships shown for the chosen county, most open events first"
    )
    map_labels: int = Field(
        12, ge=0, le=60, description="alert grids whose open count is written on the map"
    )
    max_alerts: int = Field(
        8, ge=1, le=50, description="alerts sent to the ticker before the rest are summarised"
    )
    sim_grids: int = Field(300, ge=20, le=3000, description="simulator: unit grids to generate")
    sim_members_per_grid: float = Field(
        1.6, gt=0, le=10, description="simulator: grid members (网格员) per grid on average"
    )
    sim_events_per_day: int = Field(
        320, ge=10, le=20000, description="simulator: events reported from grids per day"
    )

    @field_validator("heat_bands")
    @classmethod
    def _ascending(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if (
            not 1 <= len(value) <= 6
            or value[0] < 1
            or any(b <= a for a, b in zip(value, value[1:], strict=False))
        ):
            raise ValueError(f"need 1-6 ascending positive edges (got {value})")
        return value
