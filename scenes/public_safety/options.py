"""Options of the 公共安全 scene: categories shown, load and spike thresholds, windows."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from data_sources.datasets.public_safety import ALARM_CATEGORIES


class Options(BaseModel):
    """Per-deployment settings; every field has a bounded default so an empty block is valid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alarm_categories: tuple[str, ...] = Field(
        ALARM_CATEGORIES,
        description="alarm categories shown, in order; a subset of the dataset's ALARM_CATEGORIES "
        "(the ingest schema always checks against that constant); unlisted ones count as 其他",
    )
    warn_ratio: float = Field(0.8, gt=0, lt=5, description="load >= this share of capacity: 预警")
    over_ratio: float = Field(1.0, gt=0, le=5, description="load >= this share of capacity: 超限")
    spike_k: float = Field(
        1.5, gt=1, le=10, description="spike when an hour's alarms > k × the same hour's mean"
    )
    spike_min_count: int = Field(
        10, ge=1, le=1000, description="an hour needs at least this many alarms to be a spike"
    )
    spike_days: int = Field(
        7, ge=1, le=7, description="previous days averaged for the baseline (the query keeps 7)"
    )
    density_bands: tuple[int, ...] = Field(
        (1, 2, 4, 7), description="upper edges (alarms per cell) of the density colour bands"
    )
    camera_alert_below: float = Field(
        90.0,
        ge=0,
        le=100,
        description="alert (level 3) when a county's camera online rate (%) is below",
    )
    area_rows: int = Field(12, ge=3, le=30, description="rows in the key-area load list")
    max_alerts: int = Field(
        8, ge=1, le=50, description="alerts sent to the ticker before the rest are summarised"
    )
    sim_alarms_per_day: int = Field(
        320, ge=10, le=20000, description="simulator: city-wide alarms per day"
    )

    @field_validator("alarm_categories")
    @classmethod
    def _known_categories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in ALARM_CATEGORIES]
        if unknown or not value or len(set(value)) != len(value):
            raise ValueError(
                f"must be distinct entries of {', '.join(ALARM_CATEGORIES)} (got {', '.join(value)})"
            )
        return value

    @field_validator("density_bands")
    @classmethod
    def _ascending(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if (
            not 1 <= len(value) <= 6
            or any(b <= a for a, b in zip(value, value[1:], strict=False))
            or value[0] < 1
        ):
            raise ValueError(f"need 1-6 ascending positive edges (got {value})")
        return value

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> Options:
        if self.warn_ratio >= self.over_ratio:
            raise ValueError(
                f"warn_ratio ({self.warn_ratio}) must be below over_ratio ({self.over_ratio})"
            )
        return self
