"""Pure: peer scene summaries -> KPI tiles, a county map per indicator, alerts, scene cards."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from scenes.base import CountyIndicator, Kpi, RenderContext, SceneSummary
from scenes.overview.options import Options
from scenes.render import (
    county_choropleth,
    county_labels,
    discrete_scale,
    empty_figure,
    figure,
    map_layout,
    to_jsonable,
)
from wall.live import DEFAULT_VARIANT

STATUS_ROWS = 5  # failing products sort first; the rest are summed up in one line
MAP_SIZE = (890, 560)  # the map panel's drawing area on the 1920×1080 canvas
SEQUENTIAL = [[0.0, "#12395e"], [0.5, "#1f7fb8"], [1.0, "#63d2ff"]]


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def kpi_tile(scene: str, kpi: Kpi) -> html.Div:
    """A KPI tile: label, big tabular value, small unit, note; the chip echoes the level colour."""
    chip = (
        html.Span(className="kpi-chip", style={"background": kpi.level_color})
        if kpi.level_color
        else None
    )
    return html.Div(
        className="kpi",
        children=[
            html.Div([chip, kpi.label] if chip is not None else kpi.label, className="kpi-label"),
            html.Div(
                [
                    html.Span(_fmt(kpi.value), className="kpi-value"),
                    html.Span(kpi.unit, className="kpi-unit"),
                ]
            ),
            html.Div(kpi.note, className="kpi-note"),
        ],
        **{"data-scene": scene},
    )


def pick_kpis(summaries: dict[str, SceneSummary], limit: int) -> list[tuple[str, Kpi]]:
    """Share the tiles fairly: each scene's first KPIs first, then the rest, in scene order."""
    with_kpis = {sid: s.kpis for sid, s in summaries.items() if s.kpis}
    if not with_kpis:
        return []
    share = max(1, limit // len(with_kpis))
    first = [(sid, i) for sid, kpis in with_kpis.items() for i in range(min(share, len(kpis)))]
    rest = [(sid, i) for sid, kpis in with_kpis.items() for i in range(share, len(kpis))]
    chosen = set((first + rest)[:limit])
    return [
        (sid, k)
        for sid, kpis in with_kpis.items()
        for i, k in enumerate(kpis)
        if (sid, i) in chosen
    ]


def build_kpis(summaries: dict[str, SceneSummary], limit: int) -> Any:
    """Peer scenes' headline KPIs, fairly shared among scenes, in scene order."""
    tiles = [kpi_tile(sid, k) for sid, k in pick_kpis(summaries, limit)]
    if not tiles:
        return html.Div("暂无数据", className="empty-state")
    return html.Div(tiles, className="kpi-grid")


def _scale(ind: CountyIndicator) -> Any:
    return discrete_scale(ind.bands, ind.zmin, ind.zmax) if ind.bands else SEQUENTIAL


def build_map(values: dict[str, Any], ind: CountyIndicator, ctx: RenderContext) -> dict[str, Any]:
    """One county choropleth with name + value labels (text, not only colour)."""
    if not values:
        return empty_figure(f"{ind.label}：暂无数据")
    texts = {c: f"{n} {_fmt(values.get(c))}" for c, n in ctx.geo.names.items()}
    fill = county_choropleth(
        ctx.geo, values, colorscale=_scale(ind), zmin=ind.zmin, zmax=ind.zmax, name=ind.label
    )
    return figure(
        [fill, county_labels(ctx.geo, texts)], **map_layout(ctx.geo, ctx.map_style, size=MAP_SIZE)
    )


def build_alerts(summaries: dict[str, SceneSummary], ctx: RenderContext, limit: int) -> Any:
    """The most severe alerts across scenes, level in words as well as colour."""
    alerts = sorted(
        (a for s in summaries.values() for a in s.alerts), key=lambda a: (a.level, a.scene)
    )
    if not alerts:
        return html.Div("当前无告警", className="empty-state ok")
    names = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(names.get(a.level, "提示"), className=f"alert-level level-{a.level}"),
                    html.Span(a.text, className="alert-text"),
                ],
                className="alert-row",
            )
            for a in alerts[:limit]
        ],
        className="alert-list",
    )


def build_scene_cards(summaries: dict[str, SceneSummary], ctx: RenderContext) -> Any:
    """Links into each scene with its first KPI, so the overview is the way in."""
    cards = []
    for sid, title in ctx.scene_titles.items():
        if sid == "overview":
            continue
        first = summaries.get(sid, SceneSummary()).kpis[:1]
        line = f"{first[0].label} {_fmt(first[0].value)}{first[0].unit}" if first else "暂无数据"
        cards.append(
            dcc.Link(
                [html.Div(title, className="card-title"), html.Div(line, className="card-line")],
                href=f"/wall/{sid}",
                className="scene-card",
            )
        )
    return html.Div(cards, className="scene-cards")


def build_status(ctx: RenderContext) -> Any:
    """Each data product's health and last update, so a dead feed is named, not hidden."""
    if not ctx.products:
        return html.Div("暂无数据接入", className="empty-state")
    rows = []
    ordered = sorted(ctx.products.values(), key=lambda p: (p.get("ok") is not False, p["label"]))
    hidden = ordered[STATUS_ROWS:]
    for st in ordered[:STATUS_ROWS]:
        if st.get("ok") is None:
            tag, cls, when = "等待", "tag", "—"
        elif st["ok"]:
            tag, cls, when = "正常", "tag good", (st.get("as_of") or "")[11:16]
        else:
            tag, cls = "延迟", "tag bad"
            when = f"{(st.get('as_of') or '')[11:16] or '—'}（自{(st.get('failing_since') or '')[11:16]}）"
        rows.append(
            html.Tr(
                [
                    html.Td(st["label"]),
                    html.Td(html.Span(tag, className=cls)),
                    html.Td(when, className="num"),
                ]
            )
        )
    if hidden:
        bad = sum(1 for p in hidden if p.get("ok") is False)
        note = f"另有 {len(hidden)} 项" + (f"，其中 {bad} 项延迟" if bad else "，均正常")
        rows.append(html.Tr([html.Td(note, colSpan=3, className="muted")]))
    head = html.Tr([html.Th("数据"), html.Th("状态"), html.Th("最近更新", className="num")])
    return html.Table([html.Thead(head), html.Tbody(rows)], className="wall-table")


def _peers(ctx: RenderContext) -> dict[str, SceneSummary]:
    return {
        sid: s for sid, s in ctx.summaries.items() if sid != "overview" and sid in ctx.scene_titles
    }


def build_view(_products: dict[str, Any], options: Options, ctx: RenderContext) -> dict[str, Any]:
    """Render every panel from the peers' summaries."""
    peers = _peers(ctx)
    maps = {}
    for key, ind in ctx.indicators.items():
        sid, _, name = key.partition(".")
        maps[key] = build_map(
            dict(peers.get(sid, SceneSummary()).county_values.get(name, {})), ind, ctx
        )
    default = (
        options.default_indicator if options.default_indicator in maps else next(iter(maps), None)
    )
    maps[DEFAULT_VARIANT] = maps[default] if default else empty_figure("暂无可选指标")
    return {
        "kpis": to_jsonable(build_kpis(peers, options.max_kpis)),
        "map": maps,
        "alerts": to_jsonable(build_alerts(peers, ctx, options.max_alerts)),
        "cards": to_jsonable(build_scene_cards(peers, ctx)),
        "status": to_jsonable(build_status(ctx)),
    }


def summarize(_products: dict[str, Any], _options: Options, ctx: RenderContext) -> SceneSummary:
    """The overview adds nothing of its own to other scenes."""
    return SceneSummary()
