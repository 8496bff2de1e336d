"""Tests for indicators.aqi against tables copied independently from HJ 633-2012/2026."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from indicators.aqi import AQI_LEVELS, POLLUTANT_LABELS, AqiResult, compute_aqi, level_for

IAQI = (0, 50, 100, 150, 200, 300, 400, 500)

# Written from standards.md §1.1, deliberately not imported from the module.
TABLE_2012 = {
    "SO2_24H": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "SO2_1H": (0, 150, 500, 650, 800),
    "NO2_24H": (0, 40, 80, 180, 280, 565, 750, 940),
    "NO2_1H": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "PM10_24H": (0, 50, 150, 250, 350, 420, 500, 600),
    "CO_24H": (0, 2, 4, 14, 24, 36, 48, 60),
    "CO_1H": (0, 5, 10, 35, 60, 90, 120, 150),
    "O3_1H": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "O3_8H": (0, 100, 160, 215, 265, 800),
    "PM25_24H": (0, 35, 75, 115, 150, 250, 350, 500),
}
TABLE_2026 = {
    **TABLE_2012,
    "PM10_24H": (0, 50, 120, 250, 350, 420, 500, 600),
    "PM25_24H": (0, 35, 60, 115, 150, 250, 350, 500),
}

# (standard, period) -> [(input key, iaqi key, column)]
LAYOUT = {
    ("HJ633-2026", "daily"): [
        ("so2_24h", "SO2", "SO2_24H"),
        ("no2_24h", "NO2", "NO2_24H"),
        ("co_24h", "CO", "CO_24H"),
        ("pm10_24h", "PM10", "PM10_24H"),
        ("pm25_24h", "PM2.5", "PM25_24H"),
        ("o3_8h_max", "O3", "O3_8H"),
    ],
    ("HJ633-2026", "hourly"): [
        ("so2_1h", "SO2", "SO2_1H"),
        ("no2_1h", "NO2", "NO2_1H"),
        ("co_1h", "CO", "CO_1H"),
        ("pm10_1h", "PM10", "PM10_24H"),
        ("pm25_1h", "PM2.5", "PM25_24H"),
        ("o3_1h", "O3", "O3_1H"),
    ],
    ("HJ633-2012", "daily"): [
        ("so2_24h", "SO2", "SO2_24H"),
        ("no2_24h", "NO2", "NO2_24H"),
        ("co_24h", "CO", "CO_24H"),
        ("pm10_24h", "PM10", "PM10_24H"),
        ("pm25_24h", "PM2.5", "PM25_24H"),
        ("o3_1h_max", "O3_1H", "O3_1H"),
        ("o3_8h_max", "O3_8H", "O3_8H"),
    ],
    ("HJ633-2012", "hourly"): [
        ("so2_1h", "SO2", "SO2_1H"),
        ("no2_1h", "NO2", "NO2_1H"),
        ("co_1h", "CO", "CO_1H"),
        ("pm10_1h", "PM10", "PM10_24H"),
        ("pm25_1h", "PM2.5", "PM25_24H"),
        ("o3_1h", "O3", "O3_1H"),
    ],
}


def zeros(standard: str, period: str) -> dict[str, float]:
    return {key: 0 for key, _, _ in LAYOUT[(standard, period)]}


def run(standard: str, period: str, **values: float | None) -> AqiResult:
    data: dict[str, float | None] = zeros(standard, period)
    data.update(values)
    return compute_aqi(data, standard=standard, period=period)


def expected_iaqi(column: tuple[int, ...], conc: Fraction) -> int:
    for i in range(1, len(column)):
        if conc <= column[i]:
            lo, hi = column[i - 1], column[i]
            value = Fraction(IAQI[i] - IAQI[i - 1], hi - lo) * (conc - lo) + IAQI[i - 1]
            return math.ceil(value)
    return 500


def edge_cases() -> list[tuple[str, str, str, str, tuple[int, ...], int]]:
    cases = []
    for (standard, period), layout in LAYOUT.items():
        table = TABLE_2026 if standard.endswith("2026") else TABLE_2012
        for key, pollutant, column_name in layout:
            column = table[column_name]
            for index in range(len(column)):
                cases.append((standard, period, key, pollutant, column, index))
    return cases


@pytest.mark.parametrize(
    ("standard", "period", "key", "pollutant", "column", "index"),
    edge_cases(),
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_every_breakpoint_edge(
    standard: str, period: str, key: str, pollutant: str, column: tuple[int, ...], index: int
) -> None:
    step = Fraction(1, 10) if key.startswith("co") else Fraction(1)
    bp = column[index]
    # Exactly on the breakpoint gives exactly its IAQI.
    assert run(standard, period, **{key: bp}).iaqi[pollutant] == IAQI[index]
    # Passing the float form changes nothing.
    assert run(standard, period, **{key: float(bp)}).iaqi[pollutant] == IAQI[index]
    # One reporting step below and above: ceiling of the segment's interpolation.
    if index > 0:
        below = bp - step
        got = run(standard, period, **{key: float(below)}).iaqi[pollutant]
        assert got == expected_iaqi(column, below)
        assert IAQI[index - 1] < got <= IAQI[index]
    if index < len(column) - 1:
        above = bp + step
        got = run(standard, period, **{key: float(above)}).iaqi[pollutant]
        assert got == expected_iaqi(column, above)
        assert IAQI[index] < got <= IAQI[index + 1]
    elif len(column) == len(IAQI):
        # Beyond the 500 breakpoint: capped at 500 (documented convention).
        assert run(standard, period, **{key: float(bp + step)}).iaqi[pollutant] == 500


@pytest.mark.parametrize(
    ("standard", "key", "value", "expected"),
    [
        ("HJ633-2026", "pm25_24h", 60, 100),
        ("HJ633-2026", "pm25_24h", 60.0, 100),
        ("HJ633-2026", "pm10_24h", 120, 100),
        ("HJ633-2012", "pm25_24h", 75, 100),
        ("HJ633-2012", "pm25_24h", 75.0, 100),
        ("HJ633-2012", "pm25_24h", 76, 102),  # 101.25 rounds up
        ("HJ633-2012", "pm10_24h", 150, 100),
        ("HJ633-2012", "co_24h", 2.5, 63),  # 62.5 rounds up; CO is not truncated
        ("HJ633-2012", "co_24h", 0.4, 10),  # naive Fraction(0.4) would give 11
        ("HJ633-2012", "co_24h", 2.2, 55),  # float arithmetic gives 55.000000000000014
        ("HJ633-2026", "co_24h", 2.2, 55),
        ("HJ633-2012", "pm25_24h", 35.5, 51),  # 2012 keeps the decimal: 50.625
        ("HJ633-2012", "pm25_24h", 34.5, 50),  # 49.29
        ("HJ633-2026", "pm25_24h", 35.5, 52),  # half-even to 36, then 52
        ("HJ633-2026", "pm25_24h", 34.5, 49),  # half-even to 34, then 48.57
        ("HJ633-2026", "pm25_24h", 36.5, 52),  # half-even to 36
        ("HJ633-2026", "pm25_24h", 35.4, 50),
        ("HJ633-2026", "pm25_24h", 35.6, 52),
        ("HJ633-2026", "co_24h", 2.25, 55),  # 2.2
        ("HJ633-2026", "co_24h", 2.35, 60),  # 2.4
        ("HJ633-2026", "co_24h", 2.45, 60),  # 2.4
        ("HJ633-2026", "co_24h", 2.251, 58),  # 2.3 -> 57.5
        ("HJ633-2012", "co_24h", 2.25, 57),  # 56.25, not pre-rounded
        ("HJ633-2026", "co_24h", Decimal("2.35"), 60),
        ("HJ633-2026", "pm25_24h", Fraction(71, 2), 52),
        ("HJ633-2026", "pm25_24h", np.float64(35.5), 52),
        ("HJ633-2026", "pm25_24h", np.int64(60), 100),
    ],
)
def test_exact_rounding(standard: str, key: str, value: float, expected: int) -> None:
    pollutant = "PM2.5" if key.startswith("pm25") else key.split("_", maxsplit=1)[0].upper()
    assert run(standard, "daily", **{key: value}).iaqi[pollutant] == expected


def test_hourly_pm_uses_daily_columns() -> None:
    assert run("HJ633-2026", "hourly", pm25_1h=60).iaqi["PM2.5"] == 100
    assert run("HJ633-2026", "hourly", pm10_1h=120).iaqi["PM10"] == 100
    assert run("HJ633-2012", "hourly", pm25_1h=75).iaqi["PM2.5"] == 100


def test_2026_so2_1h_above_800_is_200() -> None:
    assert run("HJ633-2026", "hourly", so2_1h=800).iaqi["SO2"] == 200
    assert run("HJ633-2026", "hourly", so2_1h=800.5).iaqi["SO2"] == 200  # rounds to 800
    result = run("HJ633-2026", "hourly", so2_1h=5000)
    assert result.iaqi["SO2"] == 200
    assert result.aqi == 200
    assert result.primary_pollutants == ("SO2",)


def test_2026_o3_8h_above_800_is_300() -> None:
    assert run("HJ633-2026", "daily", o3_8h_max=800).iaqi["O3"] == 300
    result = run("HJ633-2026", "daily", o3_8h_max=801)
    assert result.iaqi["O3"] == 300
    assert result.aqi == 300
    assert result.level == 5


def test_2012_so2_1h_above_800_uses_24h_value() -> None:
    result = run("HJ633-2012", "hourly", so2_1h=900, so2_24h=475)
    assert result.iaqi["SO2"] == 150
    assert result.aqi == 150
    # The 24-hour value is ignored while the 1-hour value is in range.
    assert run("HJ633-2012", "hourly", so2_1h=500, so2_24h=2000).iaqi["SO2"] == 100
    # The 24-hour value above its own table is capped like any other column.
    assert run("HJ633-2012", "hourly", so2_1h=900, so2_24h=3000).iaqi["SO2"] == 500


def test_2012_so2_1h_above_800_without_24h_is_not_computed() -> None:
    low = run("HJ633-2012", "hourly", so2_1h=900, pm25_1h=75)
    assert "SO2" not in low.iaqi
    assert low.missing == ("SO2",)
    assert low.aqi is None  # counts as missing: AQI 100 from the rest is not published
    high = run("HJ633-2012", "hourly", so2_1h=900, pm25_1h=76)
    assert high.aqi == 102
    assert high.primary_pollutants == ("PM2.5",)


def test_2012_o3_8h_above_800_reported_from_1h() -> None:
    result = run("HJ633-2012", "daily", o3_8h_max=900, o3_1h_max=850)
    assert "O3_8H" not in result.iaqi
    assert result.iaqi["O3_1H"] == 325  # 300 + 100/200*50
    assert result.aqi == 325
    assert result.primary_pollutants == ("O3_1H",)
    assert result.missing == ()


def test_2012_daily_iaqi_keys() -> None:
    result = run("HJ633-2012", "daily", o3_8h_max=160, o3_1h_max=200)
    assert list(result.iaqi) == ["SO2", "NO2", "CO", "PM10", "PM2.5", "O3_1H", "O3_8H"]
    assert result.primary_pollutants == ("O3_1H", "O3_8H")
    assert list(run("HJ633-2026", "daily").iaqi) == ["SO2", "NO2", "CO", "PM10", "PM2.5", "O3"]


@pytest.mark.parametrize("missing_as", ["absent", "none"])
def test_completeness_rule(missing_as: str) -> None:
    def daily(pm25: float) -> AqiResult:
        data: dict[str, float | None] = {"so2_24h": 5, "no2_24h": 5, "co_24h": 0.5}
        data.update(pm10_24h=10, pm25_24h=pm25)
        if missing_as == "none":
            data["o3_8h_max"] = None
        return compute_aqi(data)

    held = daily(60)
    assert held.aqi is None
    assert (held.level, held.level_name, held.category, held.color_hex) == (None,) * 4
    assert held.primary_pollutants == ()
    assert held.iaqi["PM2.5"] == 100
    assert held.missing == ("O3",)
    published = daily(61)
    assert published.aqi == 101
    assert published.category == "轻度污染"
    assert published.primary_pollutants == ("PM2.5",)


def test_completeness_rule_2012_and_empty_input() -> None:
    data = zeros("HJ633-2012", "daily")
    del data["o3_1h_max"]
    assert compute_aqi(data, standard="HJ633-2012").aqi is None
    empty = compute_aqi({})
    assert empty.aqi is None
    assert empty.iaqi == {}
    assert len(empty.missing) == 6


def test_primary_pollutant_ties_and_threshold() -> None:
    tie = run("HJ633-2026", "daily", pm10_24h=120, pm25_24h=60)
    assert tie.aqi == 100
    assert tie.primary_pollutants == ("PM10", "PM2.5")
    three = run("HJ633-2026", "daily", no2_24h=80, pm10_24h=120, pm25_24h=60)
    assert three.primary_pollutants == ("NO2", "PM10", "PM2.5")
    assert run("HJ633-2026", "daily", pm25_24h=35).primary_pollutants == ()
    assert run("HJ633-2026", "daily", pm25_24h=35).aqi == 50
    assert run("HJ633-2026", "daily", pm25_24h=36).primary_pollutants == ("PM2.5",)
    assert run("HJ633-2026", "daily").aqi == 0
    assert run("HJ633-2026", "daily").level == 1


LEVELS = [
    (0, 1, "优", "#00E400"),
    (1, 1, "优", "#00E400"),
    (50, 1, "优", "#00E400"),
    (51, 2, "良", "#FFFF00"),
    (100, 2, "良", "#FFFF00"),
    (101, 3, "轻度污染", "#FF7E00"),
    (150, 3, "轻度污染", "#FF7E00"),
    (151, 4, "中度污染", "#FF0000"),
    (200, 4, "中度污染", "#FF0000"),
    (201, 5, "重度污染", "#99004C"),
    (300, 5, "重度污染", "#99004C"),
    (301, 6, "严重污染", "#7E0023"),
    (500, 6, "严重污染", "#7E0023"),
]


@pytest.mark.parametrize(("aqi", "level", "category", "color"), LEVELS)
def test_level_for(aqi: int, level: int, category: str, color: str) -> None:
    assert level_for(aqi) == (level, category, color)


@pytest.mark.parametrize(("aqi", "level", "category", "color"), LEVELS)
def test_result_levels_follow_aqi(aqi: int, level: int, category: str, color: str) -> None:
    # 2012 PM2.5 between 150 and 250 µg/m³ maps 1 µg/m³ to 1 IAQI point; find a value for aqi.
    column = TABLE_2012["PM25_24H"]
    conc = next(
        Fraction(c, 10) for c in range(0, 5001) if expected_iaqi(column, Fraction(c, 10)) == aqi
    )
    result = run("HJ633-2012", "daily", pm25_24h=float(conc))
    assert result.aqi == aqi
    assert (result.level, result.category, result.color_hex) == (level, category, color)
    assert result.level_name == "一二三四五六"[level - 1] + "级"


def test_aqi_levels_table() -> None:
    assert [row[0] for row in AQI_LEVELS] == [50, 100, 150, 200, 300, None]
    assert [row[2] for row in AQI_LEVELS] == ["一级", "二级", "三级", "四级", "五级", "六级"]
    assert POLLUTANT_LABELS["PM2.5"] == "PM2.5"
    assert set(POLLUTANT_LABELS) >= {"SO2", "NO2", "CO", "PM10", "PM2.5", "O3", "O3_1H", "O3_8H"}


@pytest.mark.parametrize("bad", [-1, 50.5, float("nan"), "35", True, None])
def test_level_for_rejects(bad: object) -> None:
    with pytest.raises(ValueError, match="aqi"):
        level_for(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", [-1, -0.01, float("nan"), float("inf"), "12", True, Decimal("NaN"), object()]
)
def test_invalid_value_names_key_and_value(value: object) -> None:
    data: dict[str, object] = dict(zeros("HJ633-2026", "daily"))
    data["pm25_24h"] = value
    with pytest.raises(ValueError, match="pm25_24h") as info:
        compute_aqi(data)  # type: ignore[arg-type]
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    ("standard", "period", "key"),
    [
        ("HJ633-2026", "daily", "pm2.5"),
        ("HJ633-2026", "daily", "o3_1h_max"),  # only the 2012 daily report uses it
        ("HJ633-2026", "hourly", "so2_24h"),  # the 800 rule needs it only in 2012
        ("HJ633-2012", "daily", "so2_1h"),
    ],
)
def test_unknown_key_names_key_and_value(standard: str, period: str, key: str) -> None:
    with pytest.raises(ValueError, match=rf"{key!r}.*12\.5"):
        compute_aqi({key: 12.5}, standard=standard, period=period)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"standard": "HJ633-2016"}, "standard"), ({"period": "weekly"}, "period")],
)
def test_bad_standard_or_period(kwargs: dict[str, str], name: str) -> None:
    with pytest.raises(ValueError, match=rf"{name}.*{kwargs[name]}"):
        compute_aqi({}, **kwargs)


def test_result_is_frozen() -> None:
    result = run("HJ633-2026", "daily")
    with pytest.raises(AttributeError):
        result.aqi = 5  # type: ignore[misc]
