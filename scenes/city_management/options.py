"""Options of the 城市管理 scene: part class codes, the 应结案数 rule, lists and the simulator.

The 2-digit major/minor part codes of GB/T 30428.2 are UNCONFIRMED (standards.md §3.2), so
they live here and in config/default.yaml; the defaults follow the common practice
(01 公用设施 · 01 上水井盖, as in the Suzhou example).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from data_sources.datasets.cases import PART_CLASSES

# Rows the drill product keeps per (rate, period) list: the hub fetches without options, so
# the product holds this many and the wall shows the first `drill_rows` of them.
DRILL_CAP = 40


class PartClass(BaseModel):
    """A major part class: its 2-digit code and its minor classes (name -> 2-digit code)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^\d{2}$")
    minors: dict[str, str] = Field(min_length=1)

    @field_validator("minors")
    @classmethod
    def _codes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [f"{k}={v}" for k, v in value.items() if not (len(v) == 2 and v.isdigit())]
        if bad:
            raise ValueError(f"minor codes must be 2 digits (got {', '.join(bad)})")
        if len(set(value.values())) != len(value):
            raise ValueError(f"minor codes must be distinct (got {', '.join(value.values())})")
        return value


DEFAULT_PART_CLASSES: dict[str, PartClass] = {
    "公用设施": PartClass(
        code="01",
        minors={
            "上水井盖": "01",
            "污水井盖": "02",
            "电力井盖": "03",
            "燃气井盖": "04",
            "通信井盖": "05",
            "路灯": "06",
            "消防栓": "07",
        },
    ),  # fmt: skip
    "道路交通": PartClass(
        code="02",
        minors={
            "交通标志牌": "01",
            "道路护栏": "02",
            "公交站亭": "03",
            "停车场": "04",
            "人行天桥": "05",
        },
    ),  # fmt: skip
    "市容环境": PartClass(
        code="03",
        minors={"公共厕所": "01", "垃圾箱": "02", "广告牌匾": "03", "环卫车辆停放点": "04"},
    ),  # fmt: skip
    "园林绿化": PartClass(
        code="04", minors={"古树名木": "01", "行道树": "02", "绿地": "03", "雕塑": "04"}
    ),  # fmt: skip
    "房屋土地": PartClass(
        code="05", minors={"宣传栏": "01", "空置房屋": "02", "待建空地": "03"}
    ),  # fmt: skip
    "其他设施": PartClass(
        code="06", minors={"健身设施": "01", "监控电子眼": "02", "信息亭": "03"}
    ),  # fmt: skip
}


class Options(BaseModel):
    """Per-deployment settings; every field has a bounded default so an empty block is valid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    part_classes: dict[str, PartClass] = Field(
        DEFAULT_PART_CLASSES,
        description="major part class -> {code, minors}; names from the dataset's PART_CLASSES",
    )
    due_includes_early: bool = Field(
        True,
        description="应结案数 also counts cases closed in the period before their deadline falls "
        "(提前结案), not only cases whose deadline falls in the period",
    )
    drill_rows: int = Field(
        30,
        ge=5,
        le=DRILL_CAP,
        description=f"cases listed behind a KPI tile (the product keeps {DRILL_CAP} per list)",
    )
    drill_close_s: int = Field(
        180,
        ge=15,
        le=3600,
        description="an open drill list closes itself after this many seconds (the wall returns "
        "to its normal view when nobody is at the controls)",
    )
    density_bands: tuple[int, ...] = Field(
        (2, 5, 10, 20, 40),
        description="upper edges (cases per cell over the density window) of the map's bands",
    )
    ranking_rows: int = Field(10, ge=3, le=30, description="departments in the ranking")
    overdue_alert: int = Field(
        20, ge=1, le=100000, description="alert when a department has this many overdue cases"
    )
    max_alerts: int = Field(
        8, ge=1, le=50, description="alerts sent to the ticker before the rest are summarised"
    )
    sim_cases_per_day: int = Field(
        600, ge=10, le=50000, description="simulator: city-management cases reported per day"
    )
    sim_parts: int = Field(6000, ge=100, le=500000, description="simulator: parts in the inventory")

    @field_validator("part_classes")
    @classmethod
    def _known(cls, value: dict[str, PartClass]) -> dict[str, PartClass]:
        unknown = [k for k in value if k not in PART_CLASSES]
        if unknown:
            raise ValueError(
                f"unknown part classes {', '.join(unknown)} (known: {', '.join(PART_CLASSES)})"
            )
        codes = [c.code for c in value.values()]
        if len(set(codes)) != len(codes):
            raise ValueError(f"major codes must be distinct (got {', '.join(codes)})")
        return value

    @field_validator("density_bands")
    @classmethod
    def _ascending(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if (
            not 1 <= len(value) <= 6
            or value[0] < 1
            or any(b <= a for a, b in zip(value, value[1:], strict=False))
        ):
            raise ValueError(f"need 1-6 ascending positive edges (got {value})")
        return value

    @model_validator(mode="after")
    def _some(self) -> Options:
        if not self.part_classes:
            raise ValueError("part_classes must list at least one class")
        return self

    def class_of(self, part_id: str) -> str:
        """The major class name of a 16-digit part id ('未知' for an unlisted code)."""
        code = part_id[6:8]
        return next((n for n, c in self.part_classes.items() if c.code == code), "未知")
