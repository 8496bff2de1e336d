"""Options for the overview scene."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Options(BaseModel):
    """What the overview shows; every field has a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_kpis: int = Field(default=12, gt=0, le=12)
    max_alerts: int = Field(default=6, gt=0, le=20)
    default_indicator: str | None = Field(
        default=None, description="e.g. environment.aqi; first offered if unset"
    )
