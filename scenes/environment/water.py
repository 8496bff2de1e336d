"""Pure surface-water part of the 生态环境 scene: GB 3838 class per section vs its target."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dash import html

from indicators.water import (
    WATER_CLASS_COLORS,
    WaterResult,
    class_label,
    classify_water,
    meets_target,
)
from scenes.environment.air import to_dt
from scenes.render import EMPTY_TEXT, to_jsonable

WATER_KEYS = ("do", "codmn", "nh3n", "tp")
PARAM_LABELS = {
    "do": "溶解氧",
    "codmn": "高锰酸盐指数",
    "cod": "化学需氧量",
    "nh3n": "氨氮",
    "tp": "总磷",
}


@dataclass(frozen=True)
class SectionRow:
    """One water section's latest state."""

    name: str
    river: str
    target: int
    water_class: int | None
    limiting: tuple[str, ...]
    meets: bool | None
    week_rate: float | None
    ts: str


def _classify(sample: Mapping[str, Any]) -> WaterResult | None:
    try:
        return classify_water({k: sample.get(k) for k in WATER_KEYS})
    except ValueError:  # a required parameter is missing: no class can be given
        return None


def build_water(data: Mapping[str, Any] | None) -> list[SectionRow]:
    """Classify each section's latest sample (single-factor rating) against its target."""
    if not data or not data.get("sections"):
        return []
    latest = {str(r["section_id"]): r for r in data.get("latest") or ()}
    targets = {str(s["section_id"]): int(s["target_class"]) for s in data["sections"]}
    week: dict[str, list[bool]] = {}
    for r in data.get("trend") or ():
        sid, result = str(r["section_id"]), _classify(r)
        if result is not None and sid in targets:
            week.setdefault(sid, []).append(meets_target(result, targets[sid]))
    rows = []
    for s in data["sections"]:
        sid, target = str(s["section_id"]), int(s["target_class"])
        sample = latest.get(sid)
        result = _classify(sample) if sample else None
        hits = week.get(sid)
        rows.append(
            SectionRow(
                name=str(s["name"]),
                river=str(s["river"]),
                target=target,
                water_class=result.water_class if result else None,
                limiting=result.limiting if result else (),
                meets=meets_target(result, target) if result else None,
                week_rate=100 * sum(hits) / len(hits) if hits else None,
                ts=f"{to_dt(sample['ts']):%m-%d %H:%M}" if sample else "",
            )
        )
    return rows


def limiting_text(row: SectionRow) -> str:
    """The parameters that set the class, in Chinese, for alert texts."""
    return "、".join(PARAM_LABELS.get(k, k) for k in row.limiting) or "—"


def water_panel(rows: list[SectionRow]) -> Any:
    """Section table: name, river, latest class (chip + text), target, 达标/不达标, 7-day rate."""
    if not rows:
        return to_jsonable(html.Div(EMPTY_TEXT, className="empty-state"))
    head = html.Tr([html.Th(t) for t in ("断面", "河流", "水质", "目标", "状态", "近7日")])
    body = []
    for r in rows:
        quality: list[Any] = ["数据缺失"]
        if r.water_class:
            # The colour is data (GB 3838 display palette from indicators), set per value.
            chip = html.Span(
                className="kpi-chip level-chip",
                style={"background": WATER_CLASS_COLORS[r.water_class]},
            )
            quality = [chip, class_label(r.water_class)]
        status = (
            "—"
            if r.meets is None
            else html.Span(
                "达标" if r.meets else "不达标", className="tag good" if r.meets else "tag bad"
            )
        )
        cells = [
            html.Td(r.name.split("·", 1)[-1]),
            html.Td(r.river),
            html.Td(quality),
            html.Td(class_label(r.target)),
            html.Td(status),
            html.Td("—" if r.week_rate is None else f"{r.week_rate:.0f}%", className="num"),
        ]
        body.append(html.Tr(cells))
    return to_jsonable(html.Table([html.Thead(head), html.Tbody(body)], className="wall-table"))
