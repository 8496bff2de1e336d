"""Tests for indicators.air_limits against GB 3095-2026 Table 1 (standards.md §1.5)."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators.air_limits import Exceedance, exceedances, limit_phase, limits_for

TRANSITIONAL = dt.date(2026, 3, 1)
LAST_TRANSITIONAL = dt.date(2030, 12, 31)
FINAL = dt.date(2031, 1, 1)

# key: (transitional 一级, transitional 二级, final 一级, final 二级), written from the spec.
EXPECTED = {
    "so2_year": (20, 60, 20, 20),
    "so2_24h": (50, 150, 50, 50),
    "so2_1h": (150, 500, 150, 150),
    "no2_year": (40, 40, 30, 30),
    "no2_24h": (80, 80, 50, 50),
    "no2_1h": (200, 200, 200, 200),
    "co_24h": (4, 4, 4, 4),
    "co_1h": (10, 10, 10, 10),
    "o3_8h_max": (100, 160, 100, 160),
    "o3_1h": (160, 200, 160, 200),
    "pm10_year": (40, 60, 20, 50),
    "pm10_24h": (50, 120, 50, 100),
    "pm25_year": (15, 30, 10, 25),
    "pm25_24h": (35, 60, 25, 50),
}


@pytest.mark.parametrize(
    ("on", "grade", "column"),
    [
        (TRANSITIONAL, 1, 0),
        (TRANSITIONAL, 2, 1),
        (LAST_TRANSITIONAL, 2, 1),
        (FINAL, 1, 2),
        (FINAL, 2, 3),
        (dt.date(2040, 6, 1), 2, 3),
    ],
)
def test_limits_for(on: dt.date, grade: int, column: int) -> None:
    limits = limits_for(on, grade)
    assert limits == {key: float(row[column]) for key, row in EXPECTED.items()}
    assert all(isinstance(v, float) for v in limits.values())


def test_default_grade_is_2_and_datetime_accepted() -> None:
    assert limits_for(TRANSITIONAL)["pm25_24h"] == 60.0
    assert limits_for(dt.datetime(2031, 1, 1, 0, 30))["pm25_24h"] == 50.0


def test_phase() -> None:
    assert limit_phase(TRANSITIONAL) == "transitional"
    assert limit_phase(LAST_TRANSITIONAL) == "transitional"
    assert limit_phase(FINAL) == "final"


def test_before_standard_applied() -> None:
    with pytest.raises(ValueError, match=r"did not apply.*2026-02-28"):
        limits_for(dt.date(2026, 2, 28))
    with pytest.raises(ValueError, match="did not apply"):
        exceedances({"pm25_24h": 100}, on=dt.date(2025, 1, 1))


@pytest.mark.parametrize("grade", [0, 3, "2", True, 2.0])
def test_bad_grade(grade: object) -> None:
    with pytest.raises(ValueError, match="grade"):
        limits_for(TRANSITIONAL, grade)  # type: ignore[arg-type]


def test_bad_date() -> None:
    with pytest.raises(ValueError, match="date"):
        limits_for("2026-03-01")  # type: ignore[arg-type]


def test_exceedances_strictly_above() -> None:
    values = {"pm25_24h": 75.0, "pm10_24h": 120, "o3_8h_max": 160.5, "so2_1h": None, "co_24h": 1}
    got = exceedances(values, on=dt.date(2026, 6, 1))
    assert got == [
        Exceedance("o3_8h_max", 160.5, 160.0, 160.5 / 160.0),
        Exceedance("pm25_24h", 75.0, 60.0, 1.25),
    ]
    assert exceedances({"pm10_24h": 120}, on=FINAL)[0].ratio == pytest.approx(1.2)
    assert exceedances({"pm25_24h": 40}, on=TRANSITIONAL, grade=1)[0].limit == 35.0
    assert exceedances({}, on=TRANSITIONAL) == []


def test_unknown_key_names_it() -> None:
    with pytest.raises(ValueError, match=r"'pm25_8h'.*12"):
        exceedances({"pm25_8h": 12}, on=TRANSITIONAL)


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), "70", True])
def test_invalid_values_name_key_and_value(value: object) -> None:
    with pytest.raises(ValueError, match="no2_24h") as info:
        exceedances({"no2_24h": value}, on=TRANSITIONAL)  # type: ignore[dict-item]
    assert repr(value) in str(info.value)
