"""Tests for indicators.traffic against GB/T 33171-2016 §7.2 and §8 (edges written from the brief)."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest

from indicators.traffic import (
    DEFAULT_TPI_DTP_EDGES,
    GRADE_COLORS,
    GRADES,
    dtp,
    grade_mileage_shares,
    network_dtp,
    network_tti,
    segment_dtp,
    segment_grade,
    segment_tti,
    tpi_from_dtp,
    tpi_level,
    tti,
)

# (speed, free flow, grade): on each §8.1 edge and just either side of it.
GRADE_CASES = [
    (50, 50, "畅通"),
    (35.01, 50, "畅通"),
    (35, 50, "基本畅通"),  # 0.70 exactly is not > 70 %
    (2.1, 3, "基本畅通"),  # 0.7 in decimal, 0.7000000000000001 in floats
    (25.01, 50, "基本畅通"),
    (25, 50, "轻度拥堵"),  # 0.50
    (20.01, 50, "轻度拥堵"),
    (20, 50, "中度拥堵"),  # 0.40
    (15.01, 50, "中度拥堵"),
    (15, 50, "严重拥堵"),  # 0.30
    (0, 50, "严重拥堵"),
    (80, 50, "畅通"),  # faster than free flow
    (Decimal("42"), Decimal("60"), "基本畅通"),  # 0.7
    (Fraction(7, 2), 5, "基本畅通"),
]


@pytest.mark.parametrize(("speed", "free", "grade"), GRADE_CASES)
def test_segment_grade_on_the_standard_edges(speed: float, free: float, grade: str) -> None:
    assert segment_grade(speed, free) == grade


@pytest.mark.parametrize(
    ("speed", "free", "name"),
    [
        (-1, 50, "speed_kmh"),
        (float("nan"), 50, "speed_kmh"),
        (float("inf"), 50, "speed_kmh"),
        (30, 0, "free_flow_kmh"),
        (30, -5, "free_flow_kmh"),
        (30, float("nan"), "free_flow_kmh"),
        ("30", 50, "speed_kmh"),
        (None, 50, "speed_kmh"),
    ],
)
def test_segment_grade_rejects_invalid_input_naming_argument_and_value(
    speed: object, free: object, name: str
) -> None:
    with pytest.raises(ValueError, match=name) as info:
        segment_grade(speed, free)  # type: ignore[arg-type]
    bad = speed if name == "speed_kmh" else free
    assert repr(bad) in str(info.value)


def test_tti_and_dtp_follow_7_2_2() -> None:
    assert tti(150, 100) == 1.5
    assert tti(100, 100) == 1.0
    assert tti(80, 100) == 1.0  # faster than free flow -> 1
    assert tti(0, 100) == 1.0
    assert dtp(150, 100) == pytest.approx(1 / 3)
    assert dtp(200, 100) == 0.5
    assert dtp(100, 100) == 0.0
    assert dtp(80, 100) == 0.0  # faster than free flow -> 0
    assert dtp(0, 100) == 0.0
    with pytest.raises(ValueError, match="free_time_s"):
        tti(10, 0)
    with pytest.raises(ValueError, match="travel_time_s"):
        dtp(-1, 10)


def test_segment_values_from_speeds() -> None:
    # 1000 m at 25 km/h vs 50 km/h free flow: t̄ = 144 s, t_free = 72 s.
    assert segment_tti(1000, 25, 50) == 2.0
    assert segment_dtp(1000, 25, 50) == 0.5
    assert segment_dtp(1000, 0, 50) == 1.0  # stopped: fully delayed
    assert segment_tti(1000, 0, 50) is None  # stopped: no finite TTI
    assert segment_dtp(1000, 60, 50) == 0.0
    assert segment_tti(1000, 60, 50) == 1.0


def test_network_values_are_mileage_weighted() -> None:
    segs = [(1000, 25, 50), (3000, 50, 50), (500, None, 50)]  # no reading: left out
    # DTP: (1000*0.5 + 3000*0) / 4000
    assert network_dtp(segs) == 0.125
    # TTI: (1000*2 + 3000*1) / 4000
    assert network_tti(segs) == 1.25
    stopped = [(1000, 0, 50), (1000, 50, 50)]
    assert network_dtp(stopped) == 0.5
    assert network_tti(stopped) == 1.0  # the stopped segment has no finite TTI
    assert network_dtp([]) is None and network_tti([(10, None, 50)]) is None


def test_grade_mileage_shares() -> None:
    segs = [(1000, 40, 50), (1000, 35, 50), (2000, 10, 50), (700, None, 60)]
    shares = grade_mileage_shares(segs)
    assert list(shares) == list(GRADES)
    assert shares == {
        "畅通": 0.25,
        "基本畅通": 0.25,
        "轻度拥堵": 0.0,
        "中度拥堵": 0.0,
        "严重拥堵": 0.5,
    }
    assert grade_mileage_shares([]) == dict.fromkeys(GRADES, 0.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0.0),
        (0.15, 1.0),
        (0.3, 2.0),
        (0.4, 3.0),
        (0.5, 4.0),
        (0.55, 5.0),
        (0.6, 6.0),
        (0.65, 7.0),
        (0.7, 8.0),
        (0.85, 9.0),
        (1, 10.0),
    ],
)
def test_tpi_from_dtp_default_annex_c_convention(value: float, expected: float) -> None:
    assert tpi_from_dtp(value) == expected


def test_tpi_from_dtp_uses_the_given_bands() -> None:
    assert DEFAULT_TPI_DTP_EDGES == (0.3, 0.5, 0.6, 0.7)
    bands = (0.2, 0.4, 0.6, 0.8)
    assert tpi_from_dtp(0.2, bands) == 2.0
    assert tpi_from_dtp(0.5, bands) == 5.0
    assert tpi_from_dtp(0.9, bands) == 9.0
    with pytest.raises(ValueError, match="bands"):
        tpi_from_dtp(0.5, (0.3, 0.3, 0.6, 0.7))
    with pytest.raises(ValueError, match="bands"):
        tpi_from_dtp(0.5, (0.3, 0.5, 0.6))
    with pytest.raises(ValueError, match="dtp"):
        tpi_from_dtp(1.2)
    with pytest.raises(ValueError, match="dtp"):
        tpi_from_dtp(-0.1)


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (0, "畅通"),
        (1.99, "畅通"),
        (2, "基本畅通"),
        (3.99, "基本畅通"),
        (4, "轻度拥堵"),
        (6, "中度拥堵"),
        (7.999, "中度拥堵"),
        (8, "严重拥堵"),
        (10, "严重拥堵"),
    ],
)
def test_tpi_level_bands(value: float, level: str) -> None:
    assert tpi_level(value) == level


def test_tpi_level_rejects_out_of_range() -> None:
    for bad in (-0.1, 10.01, math.nan):
        with pytest.raises(ValueError, match="tpi"):
            tpi_level(bad)


def test_every_grade_has_a_distinct_colour() -> None:
    assert set(GRADE_COLORS) == set(GRADES)
    assert len(set(GRADE_COLORS.values())) == 5
