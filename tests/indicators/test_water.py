"""Tests for indicators.water against GB 3838-2002 Table 1 limits (rivers)."""

from __future__ import annotations

import pytest

from indicators.water import (
    WATER_CLASS_COLORS,
    class_label,
    classify_parameter,
    classify_water,
    meets_target,
)

# Class 1..5 limits written independently from the brief.
LIMITS = {
    "do": (7.5, 6, 5, 3, 2),  # minimum
    "codmn": (2, 4, 6, 10, 15),
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),
    "cod": (15, 15, 20, 30, 40),
}
CLEAN = {"do": 9.0, "codmn": 1.0, "nh3n": 0.05, "tp": 0.01}


def edges() -> list[tuple[str, float, int]]:
    """(key, value, class) on each limit and just on the worse side of it."""
    cases: list[tuple[str, float, int]] = []
    for key, limits in LIMITS.items():
        nudge = -0.001 if key == "do" else 0.001
        for index, limit in enumerate(limits, start=1):
            best = limits.index(limit) + 1  # cod: classes 1 and 2 share 15, so 15 is class 1
            worse = index + 1 if limits.count(limit) == 1 else best + 2
            cases.append((key, limit, best))
            cases.append((key, round(limit + nudge, 3), worse))
    return cases


@pytest.mark.parametrize(("key", "value", "expected"), edges())
def test_every_limit_edge(key: str, value: float, expected: int) -> None:
    assert classify_parameter(key, value) == expected
    sample = dict(CLEAN)
    sample[key] = value
    result = classify_water(sample)
    assert result.per_parameter[key] == expected
    assert result.water_class == expected


def test_extremes() -> None:
    assert classify_parameter("do", 0) == 6
    assert classify_parameter("do", 20) == 1
    assert classify_parameter("tp", 0) == 1
    assert classify_parameter("nh3n", 5) == 6


def test_worst_parameter_sets_class_and_ties_are_listed() -> None:
    result = classify_water({"do": 4.0, "codmn": 8.0, "nh3n": 0.3, "tp": 0.15, "cod": 12})
    assert result.water_class == 4
    assert result.label == "Ⅳ类"
    assert result.limiting == ("do", "codmn")
    assert result.per_parameter == {"do": 4, "codmn": 4, "cod": 1, "nh3n": 2, "tp": 3}
    bad = classify_water({"do": 6.5, "codmn": 3, "nh3n": 2.5, "tp": 0.05})
    assert (bad.water_class, bad.label, bad.limiting) == (6, "劣Ⅴ类", ("nh3n",))


def test_cod_optional() -> None:
    assert "cod" not in classify_water(CLEAN).per_parameter
    assert "cod" not in classify_water({**CLEAN, "cod": None}).per_parameter


def test_missing_required_parameter() -> None:
    sample = dict(CLEAN)
    del sample["tp"]
    with pytest.raises(ValueError, match="tp"):
        classify_water(sample)


@pytest.mark.parametrize("value", [-0.1, float("nan"), float("inf"), "7", True, None])
def test_invalid_values_name_key_and_value(value: object) -> None:
    with pytest.raises(ValueError, match="codmn") as info:
        classify_parameter("codmn", value)  # type: ignore[arg-type]
    assert repr(value) in str(info.value)


def test_unknown_key_names_key_and_value() -> None:
    with pytest.raises(ValueError, match=r"'bod5'.*3\.5"):
        classify_water({**CLEAN, "bod5": 3.5})


def test_meets_target() -> None:
    result = classify_water({"do": 5.5, "codmn": 5, "nh3n": 0.8, "tp": 0.15})
    assert result.water_class == 3
    assert meets_target(result, 3)
    assert meets_target(result, 4)
    assert not meets_target(result, 2)
    for bad in (0, 6, 2.5, True):
        with pytest.raises(ValueError, match="target_class"):
            meets_target(result, bad)  # type: ignore[arg-type]


def test_labels_and_colours() -> None:
    assert [class_label(n) for n in range(1, 7)] == ["Ⅰ类", "Ⅱ类", "Ⅲ类", "Ⅳ类", "Ⅴ类", "劣Ⅴ类"]
    with pytest.raises(ValueError, match="7"):
        class_label(7)
    assert sorted(WATER_CLASS_COLORS) == [1, 2, 3, 4, 5, 6]
    assert all(c.startswith("#") and len(c) == 7 for c in WATER_CLASS_COLORS.values())
