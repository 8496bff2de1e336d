"""Decree 493 accident grades at their exact edges, event/warning classifications, colour table."""

from __future__ import annotations

import pytest

from indicators.emergency import (
    COLOUR_HEX,
    COLOUR_LEVEL,
    DEFAULT_WARNING_LEVELS,
    EVENT_TYPES,
    GRADE_NAMES,
    WARNING_TYPES,
    accident_grade,
    grade_rank,
    grade_text,
    highest_colour,
    highest_grade,
    validate_levels,
    warning_name,
    warning_problem,
)


def test_four_event_types_and_four_grades() -> None:
    assert EVENT_TYPES == ("自然灾害", "事故灾难", "公共卫生事件", "社会安全事件")
    assert GRADE_NAMES == {"I": "特别重大", "II": "重大", "III": "较大", "IV": "一般"}
    assert [grade_rank(g) for g in ("I", "II", "III", "IV")] == [1, 2, 3, 4]
    assert grade_text("III") == "较大（Ⅲ级）"
    assert grade_text("?") == "未定级"


@pytest.mark.parametrize(
    ("deaths", "grade"),
    [(30, "I"), (31, "I"), (29, "II"), (10, "II"), (9, "III"), (3, "III"), (2, "IV"), (0, "IV")],
)
def test_deaths_edges(deaths: int, grade: str) -> None:
    assert accident_grade(deaths, 0, 0) == grade


@pytest.mark.parametrize(
    ("injuries", "grade"),
    [(100, "I"), (99, "II"), (50, "II"), (49, "III"), (10, "III"), (9, "IV")],
)
def test_serious_injury_edges(injuries: int, grade: str) -> None:
    assert accident_grade(0, injuries, 0) == grade


@pytest.mark.parametrize(
    ("loss", "grade"),
    [
        (100_000_000, "I"),  # 1亿元 以上 includes the bound
        (99_999_999.99, "II"),
        (50_000_000, "II"),  # 5000万
        (49_999_999, "III"),
        (10_000_000, "III"),  # 1000万
        (9_999_999.99, "IV"),
        (0, "IV"),
    ],
)
def test_direct_loss_edges(loss: float, grade: str) -> None:
    assert accident_grade(0, 0, loss) == grade


def test_the_highest_criterion_wins() -> None:
    assert accident_grade(2, 9, 60_000_000) == "II"  # loss alone makes it 重大
    assert accident_grade(3, 0, 0) == "III"
    assert accident_grade(1, 120, 0) == "I"
    assert accident_grade(12, 12, 12_000_000) == "II"


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        accident_grade(-1, 0, 0)
    with pytest.raises(ValueError):
        accident_grade(0, 0, -0.01)


def test_fourteen_signal_types_and_four_colours() -> None:
    assert len(WARNING_TYPES) == 14 and set(DEFAULT_WARNING_LEVELS) == set(WARNING_TYPES)
    assert COLOUR_LEVEL == {"红": 1, "橙": 2, "黄": 3, "蓝": 4}
    assert COLOUR_HEX == {"红": "#FF0000", "橙": "#FF7E00", "黄": "#FFFF00", "蓝": "#0000FF"}
    assert DEFAULT_WARNING_LEVELS["干旱"] == ("橙", "红")
    assert DEFAULT_WARNING_LEVELS["高温"] == ("黄", "橙", "红")
    assert warning_name("大雾", "黄") == "大雾黄色预警"


def test_warning_problem_uses_the_given_table() -> None:
    assert warning_problem("干旱", "蓝") == "干旱 has no 蓝色 signal (allowed: 橙/红)"
    assert warning_problem("干旱", "橙") is None
    assert warning_problem("干旱", "蓝", {"干旱": ("蓝", "橙")}) is None
    assert warning_problem("暴雨", "紫") == "unknown colour '紫'"
    assert warning_problem("地震", "红") == "unknown warning type '地震'"


def test_validate_levels_orders_and_rejects() -> None:
    assert validate_levels({"高温": ["红", "黄"]}) == {"高温": ("黄", "红")}
    with pytest.raises(ValueError):
        validate_levels({"高温": []})
    with pytest.raises(ValueError):
        validate_levels({"地震": ["红"]})
    with pytest.raises(ValueError):
        validate_levels({"高温": ["绿"]})


def test_highest_of_grades_and_colours() -> None:
    assert highest_grade(["IV", "III", "IV"]) == "III"
    assert highest_grade([]) is None
    assert highest_colour(["蓝", "橙", "黄"]) == "橙"
    assert highest_colour(["x"]) is None
