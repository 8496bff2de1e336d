"""Options of the 应急管理 scene: radii, list sizes and the per-type warning colour table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from indicators.emergency import DEFAULT_WARNING_LEVELS, validate_levels


class Options(BaseModel):
    """Per-deployment settings; every field has a bounded default so an empty block is valid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    shelter_radius_km: float = Field(
        10.0, gt=0, le=100, description="shelters within this distance of the selected event"
    )
    nearest_teams: int = Field(3, ge=1, le=10, description="rescue teams listed per event")
    nearest_depots: int = Field(2, ge=0, le=10, description="depots listed per event")
    shelter_rows: int = Field(3, ge=1, le=10, description="shelters listed per event")
    timeline_rows: int = Field(5, ge=3, le=20, description="latest timeline steps shown")
    picker_events: int = Field(4, ge=1, le=12, description="active events offered in the picker")
    sensor_rows: int = Field(5, ge=3, le=20, description="rows in the sensor status list")
    warning_rows: int = Field(4, ge=1, le=20, description="rows in the warning list")
    max_alerts: int = Field(
        8, ge=1, le=50, description="alerts sent before the rest are summarised"
    )
    # UNCONFIRMED per-type colour sets (中国气象局令第16号): a documented default, configurable.
    warning_levels: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_WARNING_LEVELS),
        description="allowed colours per warning type; other warnings are not shown as in force",
    )
    sim_events_per_block: float = Field(
        0.8, ge=0, le=1, description="simulator: chance of a new event per 3-hour block"
    )

    @field_validator("warning_levels")
    @classmethod
    def _levels(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return validate_levels(value)
