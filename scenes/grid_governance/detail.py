"""Pure detail of one grid (the map click): its codes and names, counts, open events, members.

The click callback reads the stats and detail snapshots the hub already stored and calls
`grid_detail`; nothing here does I/O. With no click yet, the grid with the most open events is
shown (a wall has no mouse), and the panel says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dash import html

from scenes.grid_governance.maps import member_points
from scenes.grid_governance.options import Options
from scenes.grid_governance.state import Counts, build_members, counts_of, to_dt
from scenes.render import EMPTY_TEXT, to_jsonable

GRID_CODE = re.compile(r"^\d{14}$")
EV_HEAD = ("上报", "类别", "事项", "状态", "时限")


def clicked_code(click: Any) -> str | None:
    """The grid code of a map click (the choropleth's `location`), None if it is not a grid."""
    try:
        point = click["points"][0]
    except (KeyError, IndexError, TypeError):
        return None
    code = point.get("location") if isinstance(point, dict) else None
    return code if isinstance(code, str) and GRID_CODE.match(code) else None


def default_code(stats: Mapping[str, Any] | None, index: Mapping[str, Any]) -> str | None:
    """The grid with the most open events (ties: lowest code), else the first grid."""
    rows = [r for r in (stats or {}).get("per_grid") or () if r.get("grid_code") in index]
    if rows:
        best = min(rows, key=lambda r: (-int(r.get("open") or 0), str(r["grid_code"])))
        if int(best.get("open") or 0) > 0:
            return str(best["grid_code"])
    return min(index) if index else None


def limit_text(state: str, deadline: datetime | None, now: datetime | None) -> tuple[str, str]:
    """('超期5时' | '剩18时' | '剩3天' | '缓办' | '—', css modifier) for an open event."""
    if state == "缓办":
        return "缓办", "paused"
    if deadline is None or now is None:
        return "—", ""
    hours = (deadline - now).total_seconds() / 3600
    span = abs(hours)
    amount = f"{span / 24:.0f}天" if span >= 48 else f"{max(1, round(span))}时"
    return (f"超期{amount}", "late") if hours < 0 else (f"剩{amount}", "")


def _event_row(e: Mapping[str, Any], now: datetime | None) -> html.Div:
    at = to_dt(e.get("reported_at"))
    limit, mod = limit_text(str(e["state"]), to_dt(e.get("deadline")), now)
    when = (
        f"{at:%H:%M}" if at and now and at.date() == now.date() else (f"{at:%m-%d}" if at else "—")
    )
    return html.Div(
        [html.Span(when, className="num"), html.Span(e["category"]), html.Span(e["subcategory"], className="gg-ev-sub"),
         html.Span(e["state"]), html.Span(limit, className=f"gg-limit {mod}".strip())],
        className="gg-ev-row",
        **{"data-case": str(e["case_id"])},
    )  # fmt: skip


def _member_row(m: Any) -> html.Div:
    word = "在线" if m.online else ("失联" if m.status == "在线" else "离线")
    return html.Div(
        [html.Span(m.member_id, className="num gg-mid"), html.Span(word, className=f"gg-status {'on' if m.online else 'off'}"),
         html.Span(f"最后上报 {m.ts:%H:%M}" if m.ts else "未上报", className="gg-mts")],
        className="gg-member-row",
        **{"data-member": m.member_id},
    )  # fmt: skip


def _place(grid: Mapping[str, Any], county: str) -> str:
    town = str(grid.get("township") or "")
    town = town[len(county) :] if county and town.startswith(county) else town
    return f"{county} · {town} · {grid.get('community', '')} · {float(grid.get('area_km2') or 0):.2f} km²"


def grid_detail(
    code: str | None,
    stats: Mapping[str, Any] | None,
    detail: Mapping[str, Any] | None,
    options: Options,
    names: Mapping[str, str],
    *,
    stale: str = "",
) -> tuple[Any, dict[str, Any] | None]:
    """The detail panel's children and the selection the map highlights ({code, members})."""
    index = {str(g["grid_code"]): g for g in (detail or {}).get("grids") or ()}
    if not index:
        return to_jsonable(html.Div(EMPTY_TEXT, className="empty-state")), None
    chosen = code is not None and code in index
    code = code if chosen else default_code(stats, index)
    if code is None:
        return to_jsonable(html.Div(EMPTY_TEXT, className="empty-state")), None
    grid = index[code]
    now = to_dt((detail or {}).get("now"))
    row = next((r for r in (stats or {}).get("per_grid") or () if r.get("grid_code") == code), {})
    n = counts_of(row) if stats else Counts()
    events = [e for e in detail.get("events") or () if e.get("grid_code") == code]
    members = [m for m in build_members(detail, options, now) if m.grid_code == code]
    mode = "已选网格" if chosen else "默认：办理中最多"
    head = [html.Span(code, className="num gg-code"), html.Span("生成网格" if grid.get("generated", True) else "单元网格", className="tag gg-gen"), html.Span(mode, className="gg-mode")]  # fmt: skip
    counts = f"办理中 {n.open} 件 · 超期 {n.overdue} · 今日上报 {n.today} · 今日结案 {n.closed_today}" if stats else "暂无事件统计"  # fmt: skip
    body: list[Any] = [html.Div(head, className="gg-d-head"), html.Div(_place(grid, names.get(code[:6], code[:6])), className="gg-d-place"), html.Div(counts, className="gg-d-counts")]  # fmt: skip
    if stale:
        body.append(html.Div(stale, className="gg-d-stale"))
    shown = events[: options.detail_rows]
    if shown:
        body.append(html.Div([html.Span(h) for h in EV_HEAD], className="gg-ev-row gg-ev-head"))
        body += [_event_row(e, now) for e in shown]
        more = max(n.open, len(events)) - len(shown)
        if more > 0:
            body.append(html.Div(f"另有 {more} 件办理中事件未列出", className="panel-note"))
    else:
        body.append(html.Div("该网格暂无办理中事件", className="gg-d-none"))
    online = sum(m.online for m in members)
    body.append(html.Div(f"网格员 {len(members)} 人 · 在线 {online} 人", className="gg-d-sub"))
    body += [_member_row(m) for m in members[: options.member_rows]]
    if len(members) > options.member_rows:
        body.append(
            html.Div(f"另有 {len(members) - options.member_rows} 人", className="panel-note")
        )
    selected = {"code": code, "members": member_points(members)}
    return to_jsonable(html.Div(body, className="gg-detail")), selected
