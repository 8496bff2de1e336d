"""The pure 城市管理 transform on hand-made products with exact expected values: rates and
their numerator/denominator, part classes from config, stages, ranking, alerts, the drill list
and the drill callback's decisions."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson
import pytest
from dash.exceptions import PreventUpdate

from scenes.base import RenderContext
from scenes.city_management.callbacks import CLOSED, OPEN, drill_update
from scenes.city_management.drill import drill_body, parse_key, resolve
from scenes.city_management.options import DRILL_CAP, Options, PartClass
from scenes.city_management.panels import ranked_rows, tile_id
from scenes.city_management.state import build_cases, build_parts, duration_text, stage_of
from scenes.city_management.transform import CASES, DRILL, PARTS, build_view, summarize
from scenes.render import to_jsonable
from tests.scenes.city_management.conftest import as_hub_sees

NAMES = {"371502": "东昌府区", "371521": "阳谷县"}


def _period(accepted: int, registered: int, dispatched: int, due: int, closed: int,
            ontime: int, rework: int, extended: int, handling_s: float | None,
            early: int = 0, early_rework: int = 0, early_extended: int = 0) -> dict:  # fmt: skip
    """Raw `case_summary` counts: by-deadline counts plus the 提前结案 extras."""
    handled = 0 if handling_s is None else 10
    return {"accepted": accepted, "registered": registered, "dispatched": dispatched, "due": due,
            "closed": closed, "closed_ontime": ontime, "rework": rework, "extended": extended,
            "early": early, "early_rework": early_rework, "early_extended": early_extended,
            "handled": handled, "handling_sum": (handling_s or 0.0) * handled}  # fmt: skip


def _dept(name: str, due: int, closed: int, ontime: int, rework: int, early: int, handling_s: float | None) -> dict:  # fmt: skip
    return {"department": name, **_period(0, 0, 0, due, closed, ontime, rework, 0, handling_s, early)}  # fmt: skip


def cases_product(**over: Any) -> dict[str, Any]:
    """Counts with known rates: month 按期 3539/3835 under 提前结案 (135 closed early),
    3404/3700 by deadline."""
    periods = {
        "today": _period(100, 98, 97, 50, 48, 45, 2, 1, 7200.0),
        "week": _period(700, 690, 688, 600, 590, 560, 20, 12, 9000.0),
        "month": _period(3914, 3805, 3805, 3700, 3694, 3404, 200, 150, 36000.0, 135, 23, 5),
    }
    data = {
        "now": "2026-11-29T17:44:09",
        "month_from": "2026-11-01T00:00:00",
        "periods": periods,
        "overdue": [{"department": "环卫处", "n": 25}, {"department": "住建局", "n": 3}],
        "departments": [
            _dept("环卫处", 100, 90, 50, 3, 100, 3600.0),  # 150/200 with 提前结案, 50/100 without
            _dept("住建局", 0, 0, 0, 0, 10, None),  # only 提前结案: gone under the strict rule
            _dept("交警支队", 0, 0, 0, 0, 0, None),
        ],
        "categories": [
            {"kind": "事件", "category": "市容环境", "n": 120, "closed": 100, "open": 20},
            {"kind": "部件", "category": "公用设施", "n": 60, "closed": 50, "open": 10},
        ],
        "stages": [
            {"state": "处置", "n": 7},
            {"state": "返工", "n": 1},
            {"state": "上报", "n": 2},
            {"state": "缓办", "n": 4},
        ],  # fmt: skip
        "counties": [
            {"county": "371502", "open": 10, "overdue": 3},
            {"county": "371521", "open": 4, "overdue": 0},
        ],  # fmt: skip
        "emergencies": [
            {
                "case_id": "CG2026112910001",
                "subcategory": "燃气管道破裂",
                "county": "371521",
                "department": "应急管理局",
                "deadline": "2026-11-29T15:14:09",
                "state": "处置",
                "reported_at": "2026-11-29T11:00:00",
            },
        ],  # fmt: skip
        "emergency_total": 3,
        "grid": [{"gx": 11598, "gy": 3645, "n": 12}, {"gx": 11599, "gy": 3645, "n": 1}],
        "cell_deg": 0.01,
        "density_days": 7,
        "core_grid": [{"gx": 23196, "gy": 7290, "n": 4}],
        "core_cell_deg": 0.005,
        "core": [115.93, 36.425, 116.04, 36.48],
    }
    return as_hub_sees({**data, **over})


def parts_product() -> dict[str, Any]:
    rows = [("01", "完好", 90), ("01", "损坏", 8), ("01", "丢失", 2), ("04", "完好", 50), ("99", "占用", 5)]  # fmt: skip
    return {"now": "2026-11-29T17:44:09", "by_class": [{"major": m, "status": s, "n": n} for m, s, n in rows]}  # fmt: skip


def drill_row(case_id: str, **over: Any) -> dict[str, Any]:
    row = {
        "case_id": case_id, "category": "市容环境", "subcategory": "暴露垃圾", "county": "371502",
        "department": "环卫处", "state": "处置", "accepted_at": "2026-11-29T08:00:00",
        "registered_at": "2026-11-29T08:10:00", "deadline": "2026-11-29T12:00:00",
        "closed_at": None, "rework_count": 1, "extension_count": 0, "early": 0,
    }  # fmt: skip
    return {**row, **over}


def drill_product() -> dict[str, Any]:
    rows = [drill_row(f"CG20261129{i:05d}") for i in range(DRILL_CAP)]
    rework = [drill_row("CG1", rework_count=2), drill_row("CG2", early=1, deadline="2026-12-02T08:00:00", closed_at="2026-11-29T10:00:00", state="结案")]  # fmt: skip
    lists = {
        f"{r}.{p}": {"total_early": 0, "total_strict": 0, "rows": []}
        for r in ("registration_rate", "dispatch_rate", "closure_rate", "ontime_closure_rate", "rework_rate", "extension_rate")
        for p in ("today", "week", "month")
    }  # fmt: skip
    lists["ontime_closure_rate.month"] = {"total_early": 296, "total_strict": 296, "rows": rows}
    lists["rework_rate.today"] = {"total_early": 2, "total_strict": 1, "rows": rework}
    history = {"CG2026112900000": [
        {"ts": "2026-11-29T07:50:00", "state": "上报", "department": None, "note": None},
        {"ts": "2026-11-29T08:30:00", "state": "派遣", "department": "环卫处", "note": None},
    ]}  # fmt: skip
    return as_hub_sees({"now": "2026-11-29T17:44:09", "cap": DRILL_CAP, "lists": lists, "history": history})  # fmt: skip


def products() -> dict[str, Any]:
    return {PARTS: parts_product(), CASES: cases_product(), DRILL: drill_product()}


def texts(component: Any) -> list[str]:
    """Every string in a JSON-ready component tree."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            walk(node.get("props", {}).get("children"))

    walk(component)
    return out


def ids_in(component: Any) -> list[Any]:
    out: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            props = node.get("props", {})
            if "id" in props:
                out.append(props["id"])
            walk(props.get("children"))

    walk(component)
    return out


# Rates ------------------------------------------------------------------------------------


def test_rate_matrix_shows_rates_with_numerator_and_denominator(cm_ctx: RenderContext) -> None:
    view = build_view(products(), Options(), cm_ctx)
    orjson.dumps(view)
    words = texts(view["rates"])
    assert "92.28" in words and "3539/3835" in words  # 按期结案率 · 本月 (提前结案 rule)
    assert "99.84" in words and "3829/3835" in words  # 结案率 · 本月
    assert "按期结案数÷应结案数" in words and "结案数÷应结案数" in words
    assert view["asof"] == "截至 17:44:09（清单 17:44:09）"
    tiles = [i for i in ids_in(view["rates"]) if isinstance(i, dict)]
    assert len(tiles) == 18 and tile_id("ontime_closure_rate", "month") in tiles
    assert all(
        set(t) == {"scene", "part", "key"} and t["scene"] == "city_management" for t in tiles
    )


def test_the_due_rule_option_picks_the_strict_counts(cm_ctx: RenderContext) -> None:
    view = build_view(products(), Options(due_includes_early=False), cm_ctx)
    words = texts(view["rates"])
    assert "92.00" in words and "3404/3700" in words
    ranking = texts(view["ranking"])
    assert "50/100" in ranking and "住建局" not in ranking


def test_undefined_rates_show_a_dash(cm_ctx: RenderContext) -> None:
    zero = _period(0, 0, 0, 0, 0, 0, 0, 0, None)
    data = cases_product(periods={p: zero for p in ("today", "week", "month")})
    view = build_view({CASES: data}, Options(), cm_ctx)
    words = texts(view["rates"])
    assert words.count("—") == 18 and "0/0" in words
    assert "—" in texts(view["efficiency"])


# Parts, stages, ranking ---------------------------------------------------------------------


def test_parts_decode_classes_from_config_and_unknown_codes() -> None:
    rows = build_parts(parts_product(), Options())
    assert rows is not None
    by_name = {r.name: r for r in rows}
    assert by_name["公用设施"].total == 100 and by_name["公用设施"].intact_rate == 90.0
    assert by_name["园林绿化"].counts == {"完好": 50} and by_name["未知"].counts == {"占用": 5}
    assert by_name["道路交通"].total == 0
    # Codes come from the options: swap two codes and the counts follow.
    swapped = dict(Options().part_classes)
    swapped["公用设施"] = PartClass(code="04", minors={"上水井盖": "01"})
    swapped["园林绿化"] = PartClass(code="01", minors={"古树名木": "01"})
    rows = {r.name: r for r in build_parts(parts_product(), Options(part_classes=swapped)) or ()}
    assert rows["园林绿化"].total == 100 and rows["公用设施"].total == 50


def test_class_of_reads_digits_7_and_8() -> None:
    o = Options()
    assert o.class_of("3715020101000001") == "公用设施"
    assert o.class_of("3715020401000001") == "园林绿化"
    assert o.class_of("3715029901000001") == "未知"


def test_parts_panel_table(cm_ctx: RenderContext) -> None:
    words = texts(build_view(products(), Options(), cm_ctx)["parts"])
    assert "公用设施" in words and "90.0%" in words and "未知" in words and "合计" in words
    assert "155" in words  # 合计: 100 公用设施 + 50 园林绿化 + 5 未知


def test_open_cases_are_grouped_by_stage() -> None:
    state = build_cases(cases_product(), Options())
    assert state is not None
    stages = dict(state.stages)
    assert stages["处置中"] == 8 and stages["待受理"] == 2 and stages["延期缓办"] == 4
    assert state.open_total == 14 and state.overdue_total == 28
    assert stage_of("派遣") == "待处置" and stage_of("评价") == "其他"


def test_ranking_orders_by_ontime_rate_and_skips_departments_with_nothing_due() -> None:
    state = build_cases(cases_product(), Options())
    assert state is not None
    assert [d.name for d in state.departments] == ["住建局", "环卫处"]
    assert state.departments[1].rate == Decimal("75.00") and state.departments[1].overdue == 25
    depts = list(range(20))
    cut = ranked_rows(depts, 10)  # type: ignore[arg-type]
    assert len(cut) == 10 and cut[6] is None and cut[-1] == (20, 19) and cut[0] == (1, 0)
    assert ranked_rows(depts[:5], 10) == list(enumerate(depts[:5], start=1))  # type: ignore[arg-type]


# Summary and alerts -------------------------------------------------------------------------


def test_summary_kpis_county_values_and_alerts(cm_ctx: RenderContext) -> None:
    summary = summarize(products(), Options(), cm_ctx)
    kpis = {k.key: k for k in summary.kpis}
    assert (
        kpis["ontime_month"].value == 92.28 and kpis["ontime_month"].note == "按期 3,539/应结 3,835"
    )
    assert kpis["overdue"].value == 28
    assert set(summary.county_values["open_cases"]) == set(cm_ctx.geo.names)
    assert summary.county_values["open_cases"]["371502"] == 10
    assert summary.county_values["open_cases"]["371526"] == 0
    levels = [(a.level, a.text) for a in summary.alerts]
    assert (
        levels[0][0] == 2 and "燃气管道破裂" in levels[0][1] and "已超期 2小时30分" in levels[0][1]
    )
    assert any(lv == 2 and "另有 2 件突发事件" in t for lv, t in levels)
    assert any(lv == 3 and "环卫处" in t and "25 件" in t for lv, t in levels)
    assert not any("住建局" in t for _, t in levels)  # 3 < overdue_alert
    orjson.dumps(summary.as_dict())


def test_alerts_are_capped(cm_ctx: RenderContext) -> None:
    overdue = [{"department": f"部门{i}", "n": 30 + i} for i in range(10)]
    summary = summarize({CASES: cases_product(overdue=overdue)}, Options(max_alerts=3), cm_ctx)
    assert len(summary.alerts) == 4 and "另有" in summary.alerts[-1].text


def test_missing_products_give_empty_states(cm_ctx: RenderContext) -> None:
    view = build_view({PARTS: None, CASES: None, DRILL: None}, Options(), cm_ctx)
    for name in ("rates", "efficiency", "parts", "categories", "stages", "overdue", "ranking"):
        assert texts(view[name]) == ["暂无数据"], name
    assert view["asof"] == "统计准备中（清单准备中）"
    assert summarize({CASES: None}, Options(), cm_ctx).kpis == ()


def test_ok_empty_states(cm_ctx: RenderContext) -> None:
    data = cases_product(overdue=[], stages=[])
    view = build_view({CASES: data}, Options(), cm_ctx)
    assert texts(view["overdue"]) == ["当前无超期案件"] and texts(view["stages"]) == [
        "当前无在办案件"
    ]


def test_map_draws_cells_and_county_table(cm_ctx: RenderContext) -> None:
    view = build_view(products(), Options(), cm_ctx)
    fig = view["map"]
    assert all("Noto Sans SC" in t["textfont"]["family"] for t in fig["data"] if t["type"] == "scattermap" and "text" in t.get("mode", ""))  # fmt: skip
    assert any(t.get("type") == "choroplethmap" and len(t["locations"]) == 2 for t in fig["data"])
    notes = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert "东昌府区" in notes and "在办" in notes and "超期" in notes and "近7日上报" in notes
    core = view["core_map"]
    assert "中心城区 · 每格约500米" in core["layout"]["annotations"][0]["text"]


# Drill-down -------------------------------------------------------------------------------


def test_drill_resolves_truncates_and_says_so() -> None:
    d = resolve(drill_product(), "ontime_closure_rate.month", Options(drill_rows=12), NAMES)
    assert d is not None and len(d.rows) == 12 and d.total == 296
    assert d.count_text == "共 296 件，显示前 12 件"
    assert d.title == "按期结案率 · 本月：应结案但未按期结案的案件"
    row = d.rows[0]
    assert (row.case_id, row.county, row.department) == ("CG2026112900000", "东昌府区", "环卫处")
    assert row.time == "12:00" and row.state == "处置" and row.lateness == "5小时44分"
    assert d.history_case == "CG2026112900000" and d.history == (
        ("11-29 07:50", "上报", ""),
        ("08:30", "派遣", "环卫处"),
    )
    body = json.dumps(to_jsonable(drill_body(d, as_of="17:44:09")), ensure_ascii=False)
    assert "共 296 件，显示前 12 件" in body and "数据截至 17:44:09" in body and "超期时长" in body


def test_drill_follows_the_due_rule() -> None:
    early = resolve(drill_product(), "rework_rate.today", Options(), NAMES)
    strict = resolve(drill_product(), "rework_rate.today", Options(due_includes_early=False), NAMES)
    assert early is not None and strict is not None
    assert [r.case_id for r in early.rows] == ["CG1", "CG2"] and early.total == 2
    assert [r.case_id for r in strict.rows] == ["CG1"] and strict.count_text == "共 1 件"
    assert early.rows[0].state == "处置·返工2次" and early.rows[1].lateness == "按期"


@pytest.mark.parametrize("key", ["nope", "closure_rate", "closure_rate.year", "x.month", None, 5])
def test_bad_keys_are_refused(key: Any) -> None:
    assert parse_key(key) is None
    assert resolve(drill_product(), key, Options(), NAMES) is None


def test_drill_empty_list_and_missing_product() -> None:
    d = resolve(drill_product(), "closure_rate.today", Options(), NAMES)
    assert d is not None and d.total == 0
    assert "该期间无此类案件" in json.dumps(to_jsonable(drill_body(d)), ensure_ascii=False)
    assert resolve(None, "closure_rate.today", Options(), NAMES) is None
    assert "暂无数据" in json.dumps(to_jsonable(drill_body(None)), ensure_ascii=False)


def test_waiting_lists_say_how_long() -> None:
    data = drill_product()
    data["lists"]["registration_rate.today"] = {"total_early": 2, "total_strict": 2, "rows": [
        drill_row("A", state="受理", registered_at=None, deadline=None),
        drill_row("B", state="作废", registered_at=None, deadline=None),
    ]}  # fmt: skip
    d = resolve(data, "registration_rate.today", Options(), NAMES)
    assert d is not None
    assert [r.lateness for r in d.rows] == ["已等待9小时44分", "已作废"]
    assert d.rows[0].time == "08:00"  # 受理时间


# The drill callback's decisions (pure: fed a fake snapshot reader) ---------------------------


def _tile(key: str, clicks: int | None) -> dict[str, Any]:
    cid = json.dumps({"key": key, "part": "rate", "scene": "city_management"}, separators=(",", ":"))  # fmt: skip
    return {"prop_id": f"{cid}.n_clicks", "value": clicks}


TOKEN = {"prop_id": '{"part":"token","scene":"city_management"}.data', "value": "1:abc"}
CLOSE = {"prop_id": '{"part":"drill_close","scene":"city_management"}.n_clicks', "value": 1}


def _reader(calls: list[str]) -> Any:
    def read(key: str) -> Any:
        calls.append(key)
        return {"ok": True, "as_of": "2026-11-29T17:44:09", "data": drill_product()}

    return read


def test_a_click_opens_the_list_from_the_snapshot() -> None:
    calls: list[str] = []
    body, cls, store = drill_update([_tile("ontime_closure_rate.month", 1)], None, _reader(calls), Options(), NAMES, 1000.0)  # fmt: skip
    assert cls == OPEN and store == {"key": "ontime_closure_rate.month", "at": 1000.0}
    assert calls == [f"snap:{DRILL}"]
    assert "按期结案率 · 本月" in json.dumps(to_jsonable(body), ensure_ascii=False)


def test_re_rendered_tiles_and_tokens_do_not_open_it() -> None:
    calls: list[str] = []
    # The live callback re-renders the tiles (0 clicks) and moves the token in one response.
    with pytest.raises(PreventUpdate):
        drill_update([_tile("closure_rate.today", 0), TOKEN], None, _reader(calls), Options(), NAMES, 5.0)  # fmt: skip
    with pytest.raises(PreventUpdate):
        drill_update([TOKEN], None, _reader(calls), Options(), NAMES, 5.0)
    assert calls == []  # no snapshot read while closed


def test_open_list_refreshes_then_closes_itself_or_on_close() -> None:
    calls: list[str] = []
    opened = {"key": "ontime_closure_rate.month", "at": 1000.0}
    _, cls, store = drill_update([TOKEN], opened, _reader(calls), Options(drill_close_s=60), NAMES, 1030.0)  # fmt: skip
    assert cls == OPEN and store == opened and len(calls) == 1
    body, cls, store = drill_update([TOKEN], opened, _reader(calls), Options(drill_close_s=60), NAMES, 1061.0)  # fmt: skip
    assert (body, cls, store) == ([], CLOSED, None)
    assert drill_update([CLOSE], opened, _reader(calls), Options(), NAMES, 1001.0) == ([], CLOSED, None)  # fmt: skip
    with pytest.raises(PreventUpdate):  # a re-render while open, without a token move
        drill_update([_tile("closure_rate.today", 0)], opened, _reader(calls), Options(), NAMES, 1002.0)  # fmt: skip


def test_a_stale_snapshot_says_so() -> None:
    def read(_key: str) -> Any:
        return {"ok": False, "failing_since": "2026-11-29T17:40:00", "data": drill_product()}

    body, _, _ = drill_update([_tile("ontime_closure_rate.month", 3)], None, read, Options(), NAMES, 1.0)  # fmt: skip
    assert "数据延迟 since 17:40:00" in json.dumps(to_jsonable(body), ensure_ascii=False)


def test_duration_text() -> None:
    assert duration_text(59) == "0分钟" and duration_text(18 * 60) == "18分钟"
    assert duration_text(5 * 3600) == "5小时" and duration_text(5 * 3600 + 720) == "5小时12分"
    assert duration_text(3 * 86400 + 4 * 3600 + 59) == "3天4小时" and duration_text(-5) == "0分钟"


# Every character the wall writes is in the bundled font (no tofu) ----------------------------


def test_every_character_is_in_the_bundled_font(cm_ctx: RenderContext) -> None:
    from tools.build_font import charset

    chars = set(charset())
    view = build_view(products(), Options(), cm_ctx)
    d = resolve(drill_product(), "rework_rate.today", Options(), NAMES)
    words = [w for name in view if name not in ("map", "core_map") for w in texts(view[name])]
    words += texts(to_jsonable(drill_body(d, as_of="x", rule_note="应结案数含提前结案")))  # fmt: skip
    words += [a["text"] for k in ("map", "core_map") for a in view[k]["layout"]["annotations"]]
    words += [t for tr in view["map"]["data"] for t in tr.get("text") or () if isinstance(t, str)]
    summary = summarize(products(), Options(), cm_ctx)
    words += [a.text for a in summary.alerts] + [k.label + k.note for k in summary.kpis]
    missing = {ch for w in words for ch in w if ch not in chars and ch not in "<>/'=:;# \n"}
    assert not missing, sorted(missing)


def test_layout_names_the_due_rule_and_holds_the_drill_overlay(cm_ctx: RenderContext) -> None:
    from scenes.city_management import SCENE
    from scenes.city_management.layout import layout

    root = layout(SCENE.ids, Options(due_includes_early=False), cm_ctx)
    text = json.dumps(to_jsonable(root), ensure_ascii=False)
    assert "应结案数按处置时限计" in text and "× 关闭" in text
    parts = {c.id["part"] for c in root._traverse() if isinstance(getattr(c, "id", None), dict)}
    assert {"drill", "drill_body", "drill_close", "drill_key", "asof", "rates"} <= parts
