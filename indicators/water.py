"""Surface-water quality classes (I to worse-than-V) per GB 3838-2002 Table 1, for rivers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from numbers import Integral, Real

#: Class labels 1..6 as printed in Chinese water bulletins.
CLASS_LABELS: Mapping[int, str] = {
    1: "Ⅰ类",
    2: "Ⅱ类",
    3: "Ⅲ类",
    4: "Ⅳ类",
    5: "Ⅴ类",
    6: "劣Ⅴ类",
}

#: Display convention only (not from GB 3838): blue for clean through red for class 6.
WATER_CLASS_COLORS: Mapping[int, str] = {
    1: "#1F4E9C",
    2: "#3A8FD9",
    3: "#4CAF50",
    4: "#F2C500",
    5: "#F57C00",
    6: "#D7191C",
}

#: Limits for classes 1..5 (mg/L). ``do`` is a minimum, the others are maxima.
#: ``tp`` uses the river limits (lakes and reservoirs have stricter ones, not encoded).
WATER_LIMITS: Mapping[str, tuple[str, ...]] = {
    "do": ("7.5", "6", "5", "3", "2"),
    "codmn": ("2", "4", "6", "10", "15"),
    "cod": ("15", "15", "20", "30", "40"),
    "nh3n": ("0.15", "0.5", "1.0", "1.5", "2.0"),
    "tp": ("0.02", "0.1", "0.2", "0.3", "0.4"),
}
_HIGHER_IS_BETTER = frozenset({"do"})

#: Parameters that must be present; ``cod`` is optional.
REQUIRED_PARAMETERS: tuple[str, ...] = ("do", "codmn", "nh3n", "tp")
#: Fixed order of ``per_parameter`` and ``limiting``.
PARAMETER_ORDER: tuple[str, ...] = ("do", "codmn", "cod", "nh3n", "tp")


@dataclass(frozen=True)
class WaterResult:
    """Overall class of a sample, the class of each parameter and which ones set it."""

    water_class: int
    label: str
    per_parameter: dict[str, int]
    limiting: tuple[str, ...]


def class_label(n: int) -> str:
    """Return the bulletin label (e.g. "Ⅲ类") so every view names classes the same way."""
    if isinstance(n, bool) or not isinstance(n, Integral) or n not in CLASS_LABELS:
        raise ValueError(f"water class must be an integer 1-6, got {n!r}")
    return CLASS_LABELS[int(n)]


def _exact(key: str, value: object) -> Decimal:
    bad = ValueError(f"invalid value for {key!r}: {value!r} (need a finite number >= 0)")
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise bad
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, Integral):
        number = Decimal(int(value))
    else:
        as_float = float(value)
        if not math.isfinite(as_float):
            raise bad
        number = Decimal(repr(as_float))
    if not number.is_finite() or number < 0:
        raise bad
    return number


def _check_key(key: str, value: object) -> None:
    if key not in WATER_LIMITS:
        raise ValueError(
            f"unknown water parameter {key!r} (value {value!r}); "
            f"expected one of {list(WATER_LIMITS)}"
        )


def classify_parameter(key: str, value: float) -> int:
    """Class 1-6 of a single parameter, e.g. to colour one reading on its own."""
    _check_key(key, value)
    number = _exact(key, value)
    for index, limit in enumerate(WATER_LIMITS[key], start=1):
        bound = Decimal(limit)
        if (number >= bound) if key in _HIGHER_IS_BETTER else (number <= bound):
            return index
    return 6


def classify_water(sample: Mapping[str, float | None]) -> WaterResult:
    """Classify a river sample by its worst parameter, as GB 3838 single-factor rating does.

    ``do``, ``codmn``, ``nh3n`` and ``tp`` are required; ``cod`` may be absent or None.
    """
    for key, value in sample.items():
        _check_key(key, value)
    per_parameter = {
        key: classify_parameter(key, sample[key])
        for key in PARAMETER_ORDER
        if sample.get(key) is not None
    }
    missing = [key for key in REQUIRED_PARAMETERS if key not in per_parameter]
    if missing:
        raise ValueError(f"missing required water parameter(s): {missing}")
    water_class = max(per_parameter.values())
    limiting = tuple(k for k, c in per_parameter.items() if c == water_class)
    return WaterResult(water_class, CLASS_LABELS[water_class], per_parameter, limiting)


def meets_target(result: WaterResult, target_class: int) -> bool:
    """Tell whether a sample reaches its water-function target (class at or better than it)."""
    if isinstance(target_class, bool) or not isinstance(target_class, Integral):
        raise ValueError(f"target_class must be an integer 1-5, got {target_class!r}")
    if not 1 <= target_class <= 5:
        raise ValueError(f"target_class must be an integer 1-5, got {target_class!r}")
    return result.water_class <= target_class
