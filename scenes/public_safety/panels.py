"""Pure HTML panels of the 公共安全 scene: the KPI strip and the key-area load list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import html

from indicators.public_safety import LOAD_NORMAL, LOAD_OVER
from scenes.public_safety.maps import LOAD_COLORS, NO_LOAD
from scenes.public_safety.state import AreaRow, SafetyState, city_clearance, city_online
from scenes.render import EMPTY_TEXT, to_jsonable

KPI_GRID = {"gridTemplateColumns": "repeat(5, minmax(0, 1fr))"}
AREA_ROW = {
    "display": "grid",
    "gridTemplateColumns": "22px minmax(0, 1fr) 44px 108px 52px 50px",
    "alignItems": "center",
    "columnGap": "6px",
}


def empty_panel(text: str = EMPTY_TEXT) -> Any:
    """The explicit no-data state of an HTML panel."""
    return to_jsonable(html.Div(text, className="empty-state"))


def tile(label: str, value: Any, unit: str = "", notes: Sequence[str] = ()) -> html.Div:
    """A KPI tile: label, big value with unit, note lines."""
    main = [html.Span(value, className="kpi-value"), html.Span(unit, className="kpi-unit")]
    children = [html.Div(label, className="kpi-label"), html.Div(main, className="kpi-main")]
    children += [html.Div(n, className="kpi-note") for n in notes]
    return html.Div(children, className="kpi")


def versus(now: int, before: int) -> str:
    """'较昨日同时 ↑12（+5%）' in words and arrow, so the trend never relies on colour."""
    delta = now - before
    if delta == 0:
        return "较昨日同时 持平"
    return f"较昨日同时 {'↑' if delta > 0 else '↓'}{abs(delta)}"


def pct(value: float | None) -> str:
    """A percentage with one decimal, '—' when unknown."""
    return "—" if value is None else f"{value:.1f}"


def kpi_tiles(state: SafetyState) -> list[html.Div]:
    """Today's alarms, 刑事 share, key areas over threshold, camera online rate, 破案率."""
    a = state.alarms
    tiles = []
    if a is None:
        tiles += [tile("今日警情", "—", "起", ("暂无警情数据",)), tile("刑事警情占比", "—", "%")]
    else:
        crime = dict(a.by_category).get("刑事", 0)
        share = 100 * crime / a.today if a.today else None
        tiles.append(
            tile("今日警情", f"{a.today:,}", "起", (versus(a.today, a.yesterday_same_time),))
        )
        tiles.append(tile("刑事警情占比", pct(share), "%", (f"刑事 {crime} 起",)))
    loaded = [r for r in state.areas if r.load]
    over = sum(1 for r in loaded if r.load and r.load.status == LOAD_OVER)
    warn = sum(1 for r in loaded if r.load and r.load.status not in (LOAD_NORMAL, LOAD_OVER))
    tiles.append(
        tile(
            "重点区域超阈",
            over + warn if loaded else "—",
            f"/{len(loaded)}处" if loaded else "",
            (f"超限 {over} · 预警 {warn}" if loaded else "暂无客流数据",),
        )
    )
    rate, online, total = city_online(state.cameras)
    tiles.append(
        tile(
            "视频在线率",
            pct(rate),
            "%",
            (f"{online:,}/{total:,}路" if total else "暂无设备数据",),
        )
    )
    clear = city_clearance(state)
    note = (
        f"近{state.case_days}日 破{state.cases[1]}/立{state.cases[0]}"
        if state.cases
        else "暂无案件数据"
    )
    tiles.append(tile("刑事案件破案率", pct(clear), "%", (note,)))
    return tiles


def kpi_panel(state: SafetyState) -> Any:
    """The KPI strip (each tile says 暂无… when its data is missing)."""
    if state.alarms is None and not state.areas and not state.cameras and state.cases is None:
        return empty_panel()
    return to_jsonable(html.Div(kpi_tiles(state), className="kpi-grid", style=KPI_GRID))


def _row(i: int, r: AreaRow) -> html.Div:
    load = r.load
    color = LOAD_COLORS[load.status] if load else NO_LOAD
    status = load.status if load else "无数据"
    # The bar's width and colour are data (load and status), so they are set per row.
    bar = html.Div(
        html.Div(
            className="ps-bar-fill",
            style={"width": f"{min(100, load.percent if load else 0)}%", "background": color},
        ),
        className="ps-bar",
    )
    return html.Div(
        [
            html.Span(i, className="num ps-rank"),
            html.Div([html.Span(r.name, className="ps-area-name"), bar], className="ps-area"),
            html.Span(r.kind, className="ps-kind"),
            html.Span(
                f"{load.count:,}/{load.capacity:,}" if load else "—", className="num ps-count"
            ),
            html.Span(f"{load.percent}%" if load else "—", className="num ps-pct"),
            html.Span(
                status,
                className=f"ps-status ps-{'none' if not load else {'正常': 'ok', '预警': 'warn', '超限': 'over'}[status]}",
            ),
        ],
        className="ps-area-row",
        style=AREA_ROW,
    )


def areas_panel(state: SafetyState, rows_max: int) -> Any:
    """Key areas ranked by load: count/capacity, percentage and status in words."""
    if not state.areas:
        return empty_panel()
    rows = [_row(i, r) for i, r in enumerate(state.areas[:rows_max], start=1)]
    head = html.Div(
        [html.Span(t) for t in ("", "区域", "类型", "人数/容量", "负载", "状态")],
        className="ps-area-head",
        style=AREA_ROW,
    )
    more = len(state.areas) - rows_max
    foot = [html.Div(f"另有 {more} 处", className="panel-note")] if more > 0 else []
    return to_jsonable(html.Div([head, *rows, *foot], className="ps-areas"))
