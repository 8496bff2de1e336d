"""Emergency-management classifications: event types and grades, Decree 493 accident grades,
meteorological warning signals (types, colours) and the per-type colour table.

Sources (see /work/shared/docs/standards.md §4):
- 《突发事件应对法》 (2007) Art. 3: four event types; grades 特别重大 I, 重大 II, 较大 III, 一般 IV
  (CONFIRMED secondary). Art. 42: warning levels 一级…四级 shown 红/橙/黄/蓝.
- 《生产安全事故报告和调查处理条例》 (国务院令第493号) Art. 3: accident grades by deaths,
  serious injuries (incl. acute industrial poisoning) and direct economic loss; "以上" includes
  the bound, "以下" excludes it (CONFIRMED secondary).
- 中国气象局令第16号 (2007): 14 warning signal types and four colours (CONFIRMED secondary).
  WHICH colours each type has is UNCONFIRMED: `DEFAULT_WARNING_LEVELS` is a documented default
  that deployments override through the scene option `warning_levels`.
- Warning UI colours have no official RGB: the hex values below are UNCONFIRMED conventions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

EventType = Literal["自然灾害", "事故灾难", "公共卫生事件", "社会安全事件"]
EVENT_TYPES: Final[tuple[str, ...]] = ("自然灾害", "事故灾难", "公共卫生事件", "社会安全事件")

Grade = Literal["I", "II", "III", "IV"]
GRADES: Final[tuple[str, ...]] = ("I", "II", "III", "IV")  # I is the most severe
GRADE_NAMES: Final[dict[str, str]] = {"I": "特别重大", "II": "重大", "III": "较大", "IV": "一般"}
GRADE_ROMAN: Final[dict[str, str]] = {"I": "Ⅰ级", "II": "Ⅱ级", "III": "Ⅲ级", "IV": "Ⅳ级"}

WarningType = Literal[
    "台风", "暴雨", "暴雪", "寒潮", "大风", "沙尘暴", "高温",
    "干旱", "雷电", "冰雹", "霜冻", "大雾", "霾", "道路结冰",
]  # fmt: skip
WARNING_TYPES: Final[tuple[str, ...]] = (
    "台风", "暴雨", "暴雪", "寒潮", "大风", "沙尘暴", "高温",
    "干旱", "雷电", "冰雹", "霜冻", "大雾", "霾", "道路结冰",
)  # fmt: skip

Colour = Literal["蓝", "黄", "橙", "红"]
COLOURS: Final[tuple[str, ...]] = ("蓝", "黄", "橙", "红")  # Ⅳ 一般 … Ⅰ 特别严重
# Colour -> warning level (1 = 红 = 特别严重 is the highest).
COLOUR_LEVEL: Final[dict[str, int]] = {"红": 1, "橙": 2, "黄": 3, "蓝": 4}
COLOUR_SEVERITY: Final[dict[str, str]] = {
    "红": "特别严重",
    "橙": "严重",
    "黄": "较重",
    "蓝": "一般",
}
# UNCONFIRMED hex values (no official RGB for warning signals was found).
COLOUR_HEX: Final[dict[str, str]] = {
    "红": "#FF0000",
    "橙": "#FF7E00",
    "黄": "#FFFF00",
    "蓝": "#0000FF",
}

# UNCONFIRMED per-type colour sets, from memory of the 2007 annex (e.g. 干旱 橙/红 only,
# 高温 黄/橙/红). Deployments override this with the scene option `warning_levels`.
DEFAULT_WARNING_LEVELS: Final[dict[str, tuple[str, ...]]] = {
    "台风": ("蓝", "黄", "橙", "红"),
    "暴雨": ("蓝", "黄", "橙", "红"),
    "暴雪": ("蓝", "黄", "橙", "红"),
    "寒潮": ("蓝", "黄", "橙", "红"),
    "大风": ("蓝", "黄", "橙", "红"),
    "沙尘暴": ("黄", "橙", "红"),
    "高温": ("黄", "橙", "红"),
    "干旱": ("橙", "红"),
    "雷电": ("黄", "橙", "红"),
    "冰雹": ("橙", "红"),
    "霜冻": ("蓝", "黄", "橙"),
    "大雾": ("黄", "橙", "红"),
    "霾": ("黄", "橙"),
    "道路结冰": ("黄", "橙", "红"),
}

# Decree 493 Art. 3 lower bounds ("以上" includes the bound) per grade, most severe first.
YI = Decimal(100_000_000)  # 1 亿元
WAN = Decimal(10_000)  # 1 万元


@dataclass(frozen=True)
class AccidentBounds:
    """The lower bounds one grade starts at: deaths, serious injuries, direct loss (yuan)."""

    grade: str
    deaths: int
    serious_injuries: int
    direct_loss_yuan: Decimal


ACCIDENT_BOUNDS: Final[tuple[AccidentBounds, ...]] = (
    AccidentBounds("I", 30, 100, YI),
    AccidentBounds("II", 10, 50, 5000 * WAN),
    AccidentBounds("III", 3, 10, 1000 * WAN),
)


def accident_grade(deaths: int, serious_injuries: int, direct_loss_yuan: float) -> str:
    """Decree 493 Art. 3 grade ("I".."IV"): the highest grade any one criterion reaches.

    Loss is compared exactly (Decimal of the given value), so 1亿元 is 特别重大 and
    99,999,999.99 元 is 重大.
    """
    if deaths < 0 or serious_injuries < 0 or direct_loss_yuan < 0:
        raise ValueError("deaths, serious injuries and direct loss must be >= 0")
    loss = Decimal(str(direct_loss_yuan))
    for b in ACCIDENT_BOUNDS:
        if (
            deaths >= b.deaths
            or serious_injuries >= b.serious_injuries
            or loss >= b.direct_loss_yuan
        ):
            return b.grade
    return "IV"


def grade_rank(grade: str) -> int:
    """1 for I (特别重大) … 4 for IV (一般); unknown grades sort last."""
    return GRADES.index(grade) + 1 if grade in GRADES else 9


def grade_text(grade: str) -> str:
    """'较大（Ⅲ级）': the name always travels with the level."""
    return f"{GRADE_NAMES[grade]}（{GRADE_ROMAN[grade]}）" if grade in GRADE_NAMES else "未定级"


def highest_grade(grades: Sequence[str]) -> str | None:
    """The most severe of some grades, or None."""
    known = [g for g in grades if g in GRADES]
    return min(known, key=grade_rank) if known else None


def highest_colour(colours: Sequence[str]) -> str | None:
    """The most severe of some warning colours (红 > 橙 > 黄 > 蓝), or None."""
    known = [c for c in colours if c in COLOUR_LEVEL]
    return min(known, key=COLOUR_LEVEL.__getitem__) if known else None


def warning_name(kind: str, colour: str) -> str:
    """'大雾黄色预警' as the signal is named in bulletins."""
    return f"{kind}{colour}色预警"


def warning_problem(
    kind: str, colour: str, allowed: Mapping[str, Sequence[str]] | None = None
) -> str | None:
    """Why a (type, colour) signal is not valid under `allowed` (default table), or None."""
    table = DEFAULT_WARNING_LEVELS if allowed is None else allowed
    if kind not in WARNING_TYPES:
        return f"unknown warning type {kind!r}"
    if colour not in COLOURS:
        return f"unknown colour {colour!r}"
    colours = tuple(table.get(kind, ()))
    if colour not in colours:
        return f"{kind} has no {colour}色 signal (allowed: {'/'.join(colours) or 'none'})"
    return None


def validate_levels(table: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Check a per-type colour table: known types and colours, each type at least one colour."""
    out: dict[str, tuple[str, ...]] = {}
    for kind, colours in table.items():
        if kind not in WARNING_TYPES:
            raise ValueError(f"unknown warning type {kind!r}")
        bad = [c for c in colours if c not in COLOURS]
        if bad or not colours:
            raise ValueError(
                f"{kind}: colours must be a non-empty subset of 蓝/黄/橙/红 (got {list(colours)})"
            )
        out[kind] = tuple(c for c in COLOURS if c in colours)
    return out
