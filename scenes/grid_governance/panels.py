"""Pure HTML panels of the 网格化治理 scene: the KPI strip and the city → county table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from dash import html

from scenes.grid_governance.state import Counts, GovState
from scenes.render import EMPTY_TEXT, to_jsonable


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
    """'较昨日同时 ↑12' in words and arrow, so the trend never relies on colour."""
    delta = now - before
    if delta == 0:
        return "较昨日同时 持平"
    return f"较昨日同时 {'↑' if delta > 0 else '↓'}{abs(delta)}"


def pct(value: Decimal | float | None, digits: int = 1) -> str:
    """A percentage, '—' when undefined."""
    return "—" if value is None else f"{float(value):.{digits}f}"


def members_online(state: GovState) -> tuple[int, int]:
    """(online, total) grid members city-wide."""
    return sum(m.online for m in state.members), len(state.members)


def alert_grids(state: GovState, alert: int) -> list[tuple[str, Counts]]:
    """Grids at or above the alert threshold, most open events first."""
    hot = [(code, n) for code, n in state.per_grid.items() if n.open >= alert]
    return sorted(hot, key=lambda x: (-x[1].open, x[0]))


def kpi_tiles(state: GovState, alert: int) -> list[html.Div]:
    """Today's reports, open events, this month's 结案率, members online, alert grids."""
    tiles = []
    if state.has_stats:
        city = state.city
        tiles.append(
            tile(
                "今日上报",
                f"{city.today:,}",
                "件",
                (versus(city.today, state.yesterday_same_time),),
            )
        )
        tiles.append(tile("办理中事件", f"{city.open:,}", "件", (f"超期 {city.overdue:,} 件",)))
        rates = state.rates()
        tiles.append(
            tile(
                "本月结案率",
                pct(rates.get("closure_rate")),
                "%",
                (f"按期 {pct(rates.get('ontime_closure_rate'))}%",),
            )
        )
    else:
        tiles += [
            tile("今日上报", "—", "件", ("暂无事件数据",)),
            tile("办理中事件", "—", "件"),
            tile("本月结案率", "—", "%"),
        ]
    online, n = members_online(state)
    rate = f"在线率 {100 * online / n:.0f}%" if n else "暂无网格员数据"
    tiles.append(
        tile("网格员在线", f"{online:,}" if n else "—", f"/{n:,}人" if n else "人", (rate,))
    )
    hot = alert_grids(state, alert) if state.has_stats else []
    tiles.append(
        tile("告警网格", len(hot) if state.has_stats else "—", "个", (f"办理中≥{alert}件",))
    )
    return tiles  # fmt: skip


def kpi_panel(state: GovState, alert: int) -> Any:
    """The KPI strip (each tile says 暂无… when its data is missing)."""
    if not state.has_stats and not state.members:
        return empty_panel()
    return to_jsonable(html.Div(kpi_tiles(state, alert), className="kpi-grid gg-kpi-grid"))


HEAD = ("县区", "网格", "办理中", "超期", "今日上报", "网格员在线")


def _row(
    name: str, grids: int, n: Counts, members: tuple[int, int] | None, cls: str = ""
) -> html.Tr:
    on = f"{members[0]}/{members[1]}" if members and members[1] else "—"
    cells = [html.Td(name, className="gg-name"), html.Td(grids, className="num"), html.Td(n.open, className="num gg-open"),
             html.Td(n.overdue or "—", className="num"), html.Td(n.today, className="num"), html.Td(on, className="num")]  # fmt: skip
    return html.Tr(cells, className=cls or None)


def counties_panel(state: GovState, names: Mapping[str, str]) -> Any:
    """City total over each county: grids, open, overdue, reported today, members online."""
    if not state.has_stats:
        return empty_panel()
    counts = state.by_county()
    grids: dict[str, int] = {}
    for c in state.cells:
        grids[c.county] = grids.get(c.county, 0) + 1
    members = state.members_by_county()
    city_members = (sum(a for a, _ in members.values()), sum(b for _, b in members.values()))
    rows = [_row("全市", len(state.cells), state.city, city_members, "gg-city")]
    for code in sorted(set(names) | set(counts)):
        rows.append(
            _row(
                names.get(code, code),
                grids.get(code, 0),
                counts.get(code, Counts()),
                members.get(code),
            )
        )
    head = html.Thead(
        html.Tr([html.Th(h, className="num" if i else None) for i, h in enumerate(HEAD)])
    )
    return to_jsonable(html.Table([head, html.Tbody(rows)], className="wall-table gg-table"))
