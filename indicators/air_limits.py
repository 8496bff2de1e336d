"""GB 3095-2026 ambient air concentration limits (Table 1) and exceedance checks."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from numbers import Integral, Real

#: GB 3095-2026 took effect on this date (transitional limits until 2030-12-31).
EFFECTIVE_FROM: dt.date = dt.date(2026, 3, 1)
#: Final limits apply from this date.
FINAL_FROM: dt.date = dt.date(2031, 1, 1)

# key -> ((grade 1, grade 2) transitional, (grade 1, grade 2) final).
# µg/m³ except CO in mg/m³; gases at 298.15 K and 1013.25 hPa.
_TABLE_1: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "so2_year": ((20, 60), (20, 20)),
    "so2_24h": ((50, 150), (50, 50)),
    "so2_1h": ((150, 500), (150, 150)),
    "no2_year": ((40, 40), (30, 30)),
    "no2_24h": ((80, 80), (50, 50)),
    "no2_1h": ((200, 200), (200, 200)),
    "co_24h": ((4, 4), (4, 4)),
    "co_1h": ((10, 10), (10, 10)),
    "o3_8h_max": ((100, 160), (100, 160)),
    "o3_1h": ((160, 200), (160, 200)),
    "pm10_year": ((40, 60), (20, 50)),
    "pm10_24h": ((50, 120), (50, 100)),
    "pm25_year": ((15, 30), (10, 25)),
    "pm25_24h": ((35, 60), (25, 50)),
}

#: All limit keys, in Table 1 order.
LIMIT_KEYS: tuple[str, ...] = tuple(_TABLE_1)


@dataclass(frozen=True)
class Exceedance:
    """One value above its limit; ``ratio`` = value / limit (e.g. 1.25 = 25 % over)."""

    key: str
    value: float
    limit: float
    ratio: float


def _check_date(on: object) -> dt.date:
    if isinstance(on, dt.datetime):
        return on.date()
    if not isinstance(on, dt.date):
        raise ValueError(f"on must be a datetime.date, got {on!r}")
    return on


def limit_phase(on: dt.date) -> str:
    """Say whether the "transitional" or "final" limits apply on a date, for labelling."""
    day = _check_date(on)
    if day < EFFECTIVE_FROM:
        raise ValueError(
            f"GB 3095-2026 did not apply on {day.isoformat()}: it took effect on "
            f"{EFFECTIVE_FROM.isoformat()} (GB 3095-2012 applied before)"
        )
    return "final" if day >= FINAL_FROM else "transitional"


def limits_for(on: dt.date, grade: int = 2) -> dict[str, float]:
    """Limits in force on a date for grade 1 (一级) or 2 (二级), for compliance indicators."""
    if isinstance(grade, bool) or not isinstance(grade, Integral) or grade not in (1, 2):
        raise ValueError(f"grade must be 1 or 2, got {grade!r}")
    phase = 0 if limit_phase(on) == "transitional" else 1
    return {key: float(rows[phase][int(grade) - 1]) for key, rows in _TABLE_1.items()}


def _as_float(key: str, value: object) -> float:
    bad = ValueError(f"invalid value for {key!r}: {value!r} (need a finite number >= 0)")
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise bad
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise bad
    return number


def exceedances(
    values: Mapping[str, float | None], *, on: dt.date, grade: int = 2
) -> list[Exceedance]:
    """List the values strictly above their GB 3095-2026 limit, in Table 1 order.

    Values are compared as given (round them per HJ 663 first if needed); None is skipped.
    """
    limits = limits_for(on, grade)
    checked: dict[str, float] = {}
    for key, value in values.items():
        if key not in limits:
            raise ValueError(
                f"unknown limit key {key!r} (value {value!r}); expected one of {list(LIMIT_KEYS)}"
            )
        if value is not None:
            checked[key] = _as_float(key, value)
    return [
        Exceedance(key, checked[key], limits[key], checked[key] / limits[key])
        for key in LIMIT_KEYS
        if key in checked and checked[key] > limits[key]
    ]
