"""Options of the 生态环境 scene: thresholds, window sizes and the AQI standard in force."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Options(BaseModel):
    """Per-deployment settings; every field has a bounded default so an empty block is valid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stations: int = Field(20, gt=0, le=200, description="number of simulated air stations")
    aqi_standard: Literal["HJ633-2026", "HJ633-2012"] = Field(
        "HJ633-2026", description="HJ 633-2012 was abolished on 2026-03-01; keep it for old data"
    )
    aqi_alert: int = Field(
        150, ge=50, le=500, description="alert (level 3) when a station's hourly AQI exceeds this"
    )
    aqi_severe_alert: int = Field(
        200, ge=50, le=500, description="raise the station alert to level 2 above this"
    )
    pm25_alert: float = Field(
        115.0, gt=0, le=1000, description="alert when a station's 1-hour PM2.5 (µg/m³) exceeds this"
    )
    trend_hours: int = Field(24, ge=6, le=48, description="hours shown in the trend chart")
    ranking_size: int = Field(10, ge=3, le=30, description="stations shown in the ranking")
    gb3095_grade: Literal[1, 2] = Field(
        2, description="GB 3095 limit grade (一级 / 二级) for exceedances"
    )
    daily_min_hours: int = Field(
        20, ge=1, le=24, description="hours needed before a daily mean counts as complete"
    )
    exceedance_rows: int = Field(3, ge=1, le=20, description="rows in the exceedance table")
    water_alert: bool = Field(True, description="alert when a section misses its target class")
    max_alerts: int = Field(
        8, ge=1, le=50, description="alerts sent to the ticker before the rest are summarised"
    )
    stale_hours: int = Field(
        3, ge=1, le=48, description="readings older than this are not shown as real time"
    )
