"""Air quality index (AQI) per HJ 633-2026 and the abolished HJ 633-2012, in exact arithmetic."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Integral, Rational, Real
from typing import NamedTuple

STANDARDS: tuple[str, ...] = ("HJ633-2026", "HJ633-2012")
PERIODS: tuple[str, ...] = ("daily", "hourly")

#: IAQI value of each breakpoint row (both standards).
IAQI_BREAKPOINTS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)

#: Convention, UNCONFIRMED as a norm: neither standard defines concentrations above
#: the IAQI-500 breakpoint; such sub-indices are capped at this value.
IAQI_CAP: int = 500

#: Fixed order of sub-index keys in ``AqiResult.iaqi`` and of tied primary pollutants.
POLLUTANT_ORDER: tuple[str, ...] = ("SO2", "NO2", "CO", "PM10", "PM2.5", "O3", "O3_1H", "O3_8H")

#: Display names for the sub-index keys.
POLLUTANT_LABELS: Mapping[str, str] = {
    "SO2": "SO₂",
    "NO2": "NO₂",
    "CO": "CO",
    "PM10": "PM10",
    "PM2.5": "PM2.5",
    "O3": "O₃",
    "O3_1H": "O₃ 1小时",
    "O3_8H": "O₃ 8小时",
}

# Concentration columns (µg/m³, CO mg/m³), one value per IAQI breakpoint row.
_SO2_24H = (0, 50, 150, 475, 800, 1600, 2100, 2620)
_SO2_1H = (0, 150, 500, 650, 800)  # > 800: special rule (notes to both tables)
_NO2_24H = (0, 40, 80, 180, 280, 565, 750, 940)
_NO2_1H = (0, 100, 200, 700, 1200, 2340, 3090, 3840)
_CO_24H = (0, 2, 4, 14, 24, 36, 48, 60)
_CO_1H = (0, 5, 10, 35, 60, 90, 120, 150)
_O3_1H = (0, 160, 200, 300, 400, 800, 1000, 1200)
_O3_8H = (0, 100, 160, 215, 265, 800)  # > 800: special rule (notes to both tables)
_PM10_2012 = (0, 50, 150, 250, 350, 420, 500, 600)
_PM10_2026 = (0, 50, 120, 250, 350, 420, 500, 600)
_PM25_2012 = (0, 35, 75, 115, 150, 250, 350, 500)
_PM25_2026 = (0, 35, 60, 115, 150, 250, 350, 500)


class _Indicator(NamedTuple):
    key: str  # input key
    pollutant: str  # sub-index key
    column: tuple[int, ...]
    decimals: int  # 2026 pre-rounding (GB/T 8170): 0 for µg/m³, 1 for CO in mg/m³


_I = _Indicator
# Hourly PM10/PM2.5 use the 24-hour columns: 2026 clause 4.2.4; for 2012 this is the
# common convention (the 2012 text does not say), UNCONFIRMED as a norm.
_SPECS: dict[tuple[str, str], tuple[_Indicator, ...]] = {
    ("HJ633-2026", "daily"): (
        _I("so2_24h", "SO2", _SO2_24H, 0),
        _I("no2_24h", "NO2", _NO2_24H, 0),
        _I("co_24h", "CO", _CO_24H, 1),
        _I("pm10_24h", "PM10", _PM10_2026, 0),
        _I("pm25_24h", "PM2.5", _PM25_2026, 0),
        _I("o3_8h_max", "O3", _O3_8H, 0),
    ),
    ("HJ633-2026", "hourly"): (
        _I("so2_1h", "SO2", _SO2_1H, 0),
        _I("no2_1h", "NO2", _NO2_1H, 0),
        _I("co_1h", "CO", _CO_1H, 1),
        _I("pm10_1h", "PM10", _PM10_2026, 0),
        _I("pm25_1h", "PM2.5", _PM25_2026, 0),
        _I("o3_1h", "O3", _O3_1H, 0),
    ),
    ("HJ633-2012", "daily"): (
        _I("so2_24h", "SO2", _SO2_24H, 0),
        _I("no2_24h", "NO2", _NO2_24H, 0),
        _I("co_24h", "CO", _CO_24H, 1),
        _I("pm10_24h", "PM10", _PM10_2012, 0),
        _I("pm25_24h", "PM2.5", _PM25_2012, 0),
        _I("o3_1h_max", "O3_1H", _O3_1H, 0),
        _I("o3_8h_max", "O3_8H", _O3_8H, 0),
    ),
    ("HJ633-2012", "hourly"): (
        _I("so2_1h", "SO2", _SO2_1H, 0),
        _I("no2_1h", "NO2", _NO2_1H, 0),
        _I("co_1h", "CO", _CO_1H, 1),
        _I("pm10_1h", "PM10", _PM10_2012, 0),
        _I("pm25_1h", "PM2.5", _PM25_2012, 0),
        _I("o3_1h", "O3", _O3_1H, 0),
    ),
}
# Optional inputs that are not sub-indices of their own.
_OPTIONAL: dict[tuple[str, str], tuple[str, ...]] = {("HJ633-2012", "hourly"): ("so2_24h",)}


class AqiLevel(NamedTuple):
    """One AQI band; ``upper_bound`` is None for the open-ended top band."""

    upper_bound: int | None
    level: int
    level_name: str
    category: str
    color_hex: str


#: AQI bands (HJ 633-2026 Table 1 / 2012 Table 2, colours from Appendix A.1).
AQI_LEVELS: tuple[AqiLevel, ...] = (
    AqiLevel(50, 1, "一级", "优", "#00E400"),
    AqiLevel(100, 2, "二级", "良", "#FFFF00"),
    AqiLevel(150, 3, "三级", "轻度污染", "#FF7E00"),
    AqiLevel(200, 4, "四级", "中度污染", "#FF0000"),
    AqiLevel(300, 5, "五级", "重度污染", "#99004C"),
    AqiLevel(None, 6, "六级", "严重污染", "#7E0023"),
)


@dataclass(frozen=True)
class AqiResult:
    """Outcome of one AQI computation; level fields are None when AQI is not published."""

    aqi: int | None
    iaqi: dict[str, int]
    primary_pollutants: tuple[str, ...]
    level: int | None
    level_name: str | None
    category: str | None
    color_hex: str | None
    standard: str = "HJ633-2026"
    period: str = "daily"
    #: Sub-indices that could not be computed because data were missing.
    missing: tuple[str, ...] = ()


def _level_row(aqi: int) -> AqiLevel:
    if isinstance(aqi, bool) or not isinstance(aqi, Integral) or aqi < 0:
        raise ValueError(f"aqi must be a non-negative integer, got {aqi!r}")
    for row in AQI_LEVELS:
        if row.upper_bound is None or aqi <= row.upper_bound:
            return row
    raise AssertionError("unreachable: the last band is open-ended")


def level_for(aqi: int) -> tuple[int, str, str]:
    """Map an AQI value to (level, category, colour) so every view colours it the same way."""
    row = _level_row(aqi)
    return row.level, row.category, row.color_hex


def _exact(key: str, value: object) -> Fraction:
    """Turn an input concentration into an exact Fraction, rejecting anything not usable."""
    bad = ValueError(f"invalid concentration for {key!r}: {value!r} (need a finite number >= 0)")
    if isinstance(value, bool):
        raise bad
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise bad
        exact = Fraction(value)
    elif isinstance(value, Integral):
        exact = Fraction(int(value))
    elif isinstance(value, Rational):
        exact = Fraction(int(value.numerator), int(value.denominator))
    elif isinstance(value, Real):
        number = float(value)
        if not math.isfinite(number):
            raise bad
        # The shortest repr is the decimal the sensor reported (0.4, not 0.40000000000000002).
        exact = Fraction(Decimal(repr(number)))
    else:
        raise bad
    if exact < 0:
        raise bad
    return exact


def _interpolate(conc: Fraction, column: tuple[int, ...]) -> int | None:
    """Ceiling of the linear interpolation; None when ``conc`` is beyond the column."""
    if conc > column[-1]:
        return None
    for i in range(1, len(column)):
        if conc <= column[i]:
            lo, hi = column[i - 1], column[i]
            i_lo, i_hi = IAQI_BREAKPOINTS[i - 1], IAQI_BREAKPOINTS[i]
            return math.ceil(Fraction(i_hi - i_lo, hi - lo) * (conc - lo) + i_lo)
    raise AssertionError("unreachable: conc <= column[-1] was checked above")


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


def compute_aqi(
    concentrations: Mapping[str, float | None],
    *,
    standard: str = "HJ633-2026",
    period: str = "daily",
) -> AqiResult:
    """Compute sub-indices and the AQI so the dashboard shows what HJ 633 would publish.

    Conventions beyond the text of the standards:
    - Missing pollutants (key absent or None): the AQI is published only if the available
      sub-indices already give AQI > 100 (2026 clause 5.3; applied to 2012 as well).
    - 2012 hourly SO2 1h > 800 without ``so2_24h``: SO2 is not computed and counts as missing.
    - Above the last (IAQI 500) breakpoint a sub-index is capped at ``IAQI_CAP``.
    - Floats are read via their shortest repr (0.4 means 0.4), then computed exactly;
      2026 values are first rounded half-to-even (GB/T 8170), 2012 values are not.
    - Tied primary pollutants are listed in ``POLLUTANT_ORDER``.
    """
    _check_choice("standard", standard, STANDARDS)
    _check_choice("period", period, PERIODS)
    specs = _SPECS[(standard, period)]
    optional = _OPTIONAL.get((standard, period), ())
    allowed = [s.key for s in specs] + list(optional)

    values: dict[str, Fraction] = {}
    for key, value in concentrations.items():
        if key not in allowed:
            raise ValueError(
                f"unknown key {key!r} (value {value!r}) for {standard} {period}; "
                f"expected one of {allowed}"
            )
        if value is not None:
            values[key] = _exact(key, value)

    is_2026 = standard == "HJ633-2026"
    iaqi: dict[str, int] = {}
    missing: list[str] = []
    for spec in specs:
        if spec.key not in values:
            missing.append(spec.pollutant)
            continue
        conc = values[spec.key]
        if is_2026:
            conc = round(conc, spec.decimals)  # exact GB/T 8170 half-to-even
        sub = _interpolate(conc, spec.column)
        if sub is None:
            sub = _beyond_column(spec, values, is_2026)
        if sub is None:
            if spec.column is _SO2_1H:
                missing.append(spec.pollutant)
            continue  # 2012 O3 8h > 800: reported from the 1-hour value instead
        iaqi[spec.pollutant] = sub

    return _result(iaqi, tuple(missing), standard, period)


def _beyond_column(spec: _Indicator, values: Mapping[str, Fraction], is_2026: bool) -> int | None:
    """Apply the table notes for concentrations beyond a column's last breakpoint."""
    if spec.column is _SO2_1H:
        if is_2026:
            return 200  # 2026 note b
        so2_24h = values.get("so2_24h")  # 2012 note 2: report from the 24-hour value
        if so2_24h is None:
            return None
        sub = _interpolate(so2_24h, _SO2_24H)
        return IAQI_CAP if sub is None else sub
    if spec.column is _O3_8H:
        return 300 if is_2026 else None  # 2026 note c / 2012 note 3
    return IAQI_CAP


def _result(
    iaqi: dict[str, int], missing: tuple[str, ...], standard: str, period: str
) -> AqiResult:
    aqi: int | None = max(iaqi.values()) if iaqi else None
    if aqi is not None and missing and aqi <= 100:
        aqi = None  # incomplete data: publish only an AQI above 100
    if aqi is None:
        return AqiResult(None, iaqi, (), None, None, None, None, standard, period, missing)
    primary: tuple[str, ...] = ()
    if aqi > 50:
        primary = tuple(p for p in POLLUTANT_ORDER if iaqi.get(p) == aqi)
    row = _level_row(aqi)
    return AqiResult(
        aqi,
        iaqi,
        primary,
        row.level,
        row.level_name,
        row.category,
        row.color_hex,
        standard,
        period,
        missing,
    )
