"""The shared live callback: full figure first, 204 when nothing moved, Patch deltas per trace
key, full figure on layout change, status-only updates, and variant panels."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from dash import Patch, html, no_update
from dash.exceptions import PreventUpdate
from pydantic import BaseModel, ConfigDict

from app import runtime_of
from data_sources.errors import SourceUnavailable
from data_sources.hub import Hub, fingerprint
from data_sources.memory import MemoryBackend
from scenes.base import DataNeed, Geo, Panel, RenderContext, Scene, SceneSummary
from wall.live import (
    DEFAULT_VARIANT,
    FRESH_CLASS,
    STALE_CLASS,
    build_update,
    diff_panel,
    stale_text,
)


def fig(
    y: list[float], *, title: str = "PM2.5", x: list[str] | None = None, traces: int = 1
) -> dict:
    """A JSON figure like the ones transforms produce."""
    data = [
        {"type": "bar", "x": x or ["a", "b", "c"], "y": y, "name": f"t{i}"} for i in range(traces)
    ]
    return {"data": data, "layout": {"title": {"text": title}}}


def patch_ops(value: Any) -> list[dict[str, Any]]:
    """The operations of a dash.Patch, as Dash sends them to the browser."""
    assert isinstance(value, Patch), value
    return value.to_plotly_json()["operations"]


# diff_panel --------------------------------------------------------------------------------


def test_diff_panel_first_time_is_the_whole_value() -> None:
    value = fig([1, 2, 3])
    assert diff_panel(value, fingerprint(value), None) is value


def test_diff_panel_unchanged_is_no_update() -> None:
    value = fig([1, 2, 3])
    assert diff_panel(value, fingerprint(value), fingerprint(fig([1, 2, 3]))) is no_update


def test_diff_panel_changed_trace_key_is_a_patch_of_that_key_only() -> None:
    old, new = fig([1, 2, 3], traces=2), fig([1, 2, 3], traces=2)
    new["data"][1]["y"] = [4, 5, 6]
    ops = patch_ops(diff_panel(new, fingerprint(new), fingerprint(old)))
    assert ops == [
        {"operation": "Assign", "location": ["data", 1, "y"], "params": {"value": [4, 5, 6]}}
    ]


def test_diff_panel_patches_every_changed_key() -> None:
    old, new = fig([1, 2, 3], traces=2), fig([1, 2, 3], traces=2)
    new["data"][0]["x"] = ["d", "e", "f"]
    new["data"][1]["name"] = "新"
    ops = patch_ops(diff_panel(new, fingerprint(new), fingerprint(old)))
    assert sorted(tuple(op["location"]) for op in ops) == [("data", 0, "x"), ("data", 1, "name")]


def test_diff_panel_changed_layout_value_patches_only_that_layout_key() -> None:
    old, new = fig([1, 2, 3]), fig([1, 2, 4], title="PM10")
    ops = patch_ops(diff_panel(new, fingerprint(new), fingerprint(old)))
    assert sorted(ops, key=lambda op: op["location"][0]) == [
        {"operation": "Assign", "location": ["data", 0, "y"], "params": {"value": [1, 2, 4]}},
        {
            "operation": "Assign",
            "location": ["layout", "title"],
            "params": {"value": {"text": "PM10"}},
        },
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (fig([1, 2, 3]), {**fig([1, 2, 3]), "layout": {"title": {"text": "PM2.5"}, "height": 300}}),
        (fig([1, 2, 3]), fig([1, 2, 3], traces=2)),
        (fig([1, 2, 3], traces=2), fig([1, 2, 3])),
    ],
    ids=["layout-key-added", "trace-added", "trace-removed"],
)
def test_diff_panel_structural_change_is_the_whole_figure(old: dict, new: dict) -> None:
    assert diff_panel(new, fingerprint(new), fingerprint(old)) is new


def test_diff_panel_removed_trace_key_is_the_whole_figure() -> None:
    old = fig([1, 2, 3])
    new = fig([1, 2, 3])
    del new["data"][0]["name"]
    assert diff_panel(new, fingerprint(new), fingerprint(old)) is new


def test_diff_panel_html_change_is_the_whole_value() -> None:
    old, new = {"props": {"children": "1"}}, {"props": {"children": "2"}}
    assert diff_panel(new, fingerprint(new), fingerprint(old)) is new
    assert diff_panel("3 个站点", fingerprint("3 个站点"), fingerprint("3 个站点")) is no_update


def test_stale_text() -> None:
    assert stale_text({"stale": False}) == ""
    status = {"stale": True, "since": "08:15:02", "labels": ["空气质量", "水质"]}
    assert stale_text(status) == "数据延迟 since 08:15:02（空气质量、水质）"


# build_update against a real hub -------------------------------------------------------------


class LiveOptions(BaseModel):
    """Options of the fake scene."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class Feed:
    """What the fake scene's product and panels are right now."""

    panels: dict[str, Any] = field(default_factory=dict)
    data: Any = 1
    fail: bool = False

    def fetch(self, _source: Any) -> Any:
        if self.fail:
            raise SourceUnavailable("files", "share not mounted")
        return self.data


PANELS = (Panel("chart"), Panel("count", "html"), Panel("map", variant_from="indicator"))
TAIL = len(PANELS)


@pytest.fixture
def live() -> Iterator[tuple[Hub, Feed, MemoryBackend]]:
    """A hub rendering a scene whose panels the test sets directly."""
    feed = Feed(
        panels={
            "chart": fig([1, 2, 3]),
            "count": "3 个站点",
            "map": {
                DEFAULT_VARIANT: fig([9], title="A"),
                "a": fig([9], title="A"),
                "b": fig([7], title="B"),
            },
        }
    )
    scene = Scene(
        id="live",
        title="实时",
        needs=(DataNeed("live.data", "files", feed.fetch, label="共享文件", refresh_s=60),),
        options=LiveOptions,
        panels=PANELS,
        layout=lambda ids, _o, _c: html.Div(id=ids.part("root")),
        build_view=lambda _p, _o, _c: feed.panels,
        summarize=lambda _p, _o, _c: SceneSummary(),
        register=lambda *_a: None,
    )
    store = MemoryBackend()
    geo = Geo(counties={}, names={}, center=(0, 0), zoom=5)

    def context(summaries: Any = None, products: Any = None) -> RenderContext:
        return RenderContext(
            city_name="测试市",
            geo=geo,
            map_style={},
            now=datetime.now(),
            summaries=summaries or {},
            products=products or {},
        )

    hub = Hub({"live": (scene, LiveOptions())}, {"files": object()}, store, context)
    hub.collect_once()
    yield hub, feed, store
    store.close()


def poll(
    store: MemoryBackend, known: str | None, variant: str | None = None, changed: bool = False
) -> list[Any]:
    """One browser poll of the live scene."""
    return build_update(store.get_many, "live", PANELS, known, {"indicator": variant}, changed)


def rerender(hub: Hub, feed: Feed, **panels: Any) -> None:
    """Change panels and let the hub re-render (a new millisecond, so a new version)."""
    import time

    feed.panels = {**feed.panels, **panels}
    time.sleep(0.002)
    hub.collect_once(force=True)


def test_first_poll_sends_full_values(live: tuple[Hub, Feed, MemoryBackend]) -> None:
    _hub, feed, store = live
    out = poll(store, None)
    assert out[0] == feed.panels["chart"]
    assert out[1] == "3 个站点"
    assert out[2] == feed.panels["map"][DEFAULT_VARIANT], "no choice yet: the default variant"
    assert out[TAIL] == store.get("meta:live")["token"]
    assert out[TAIL + 1 :] == ["", FRESH_CLASS]
    assert poll(store, "")[:TAIL] == out[:TAIL], "the layout's empty token is a first poll too"


def test_unchanged_token_prevents_the_update(live: tuple[Hub, Feed, MemoryBackend]) -> None:
    hub, _feed, store = live
    token = poll(store, None)[TAIL]
    with pytest.raises(PreventUpdate):
        poll(store, token)
    hub.collect_once(force=True)  # same data and panels
    with pytest.raises(PreventUpdate):
        poll(store, token)


def test_nothing_rendered_yet_prevents_the_update() -> None:
    store = MemoryBackend()
    with pytest.raises(PreventUpdate):
        build_update(store.get_many, "live", PANELS, None, {}, False)


def test_changed_trace_key_sends_a_patch_of_that_key(live: tuple[Hub, Feed, MemoryBackend]) -> None:
    hub, feed, store = live
    token = poll(store, None)[TAIL]
    rerender(hub, feed, chart=fig([1, 2, 4]))
    out = poll(store, token)
    assert patch_ops(out[0]) == [
        {"operation": "Assign", "location": ["data", 0, "y"], "params": {"value": [1, 2, 4]}}
    ]
    assert out[1] is no_update and out[2] is no_update
    # The status did not change, so the badge and body class are not resent either.
    assert out[TAIL] != token and out[TAIL + 1] is no_update and out[TAIL + 2] is no_update


def test_changed_layout_key_sends_a_patch_of_that_key(
    live: tuple[Hub, Feed, MemoryBackend],
) -> None:
    hub, feed, store = live
    token = poll(store, None)[TAIL]
    rerender(hub, feed, chart=fig([1, 2, 3], title="PM10"), count="4 个站点")
    out = poll(store, token)
    assert patch_ops(out[0]) == [
        {
            "operation": "Assign",
            "location": ["layout", "title"],
            "params": {"value": {"text": "PM10"}},
        }
    ]
    assert out[1] == "4 个站点"


def test_a_browser_behind_the_fingerprint_history_gets_full_values(
    live: tuple[Hub, Feed, MemoryBackend],
) -> None:
    hub, feed, store = live
    rerender(hub, feed, chart=fig([5, 5, 5]))
    out = poll(store, "12345:deadbeef")  # a version whose fingerprints expired long ago
    assert out[0] == fig([5, 5, 5])


def test_status_only_change_updates_just_the_badge(live: tuple[Hub, Feed, MemoryBackend]) -> None:
    hub, feed, store = live
    token = poll(store, None)[TAIL]
    feed.fail = True
    hub.collect_once(force=True)
    out = poll(store, token)
    assert out[:TAIL] == [no_update] * TAIL
    assert re.fullmatch(r"数据延迟 since \d{2}:\d{2}:\d{2}（共享文件）", out[TAIL + 1]), out[
        TAIL + 1
    ]
    assert out[TAIL + 2] == STALE_CLASS
    stale_token = out[TAIL]
    with pytest.raises(PreventUpdate):
        poll(store, stale_token)
    feed.fail = False
    hub.collect_once(force=True)
    out = poll(store, stale_token)
    assert out[:TAIL] == [no_update] * TAIL
    assert out[TAIL + 1 :] == ["", FRESH_CLASS]


def test_variant_panel_picks_the_chosen_variant(live: tuple[Hub, Feed, MemoryBackend]) -> None:
    _hub, feed, store = live
    token = poll(store, None, "a")[TAIL]
    out = poll(store, token, "b", changed=True)  # same token, but the picker moved
    assert out[2] == feed.panels["map"]["b"]
    assert out[0] is no_update and out[1] is no_update, "only the picked panel is sent"
    out = poll(store, token, "nonexistent", changed=True)
    assert out[2] is no_update, "an unknown choice leaves the map as it is"
    with pytest.raises(PreventUpdate):
        poll(store, token, "b", changed=False)


def test_variant_panel_is_resent_only_when_its_variants_change(
    live: tuple[Hub, Feed, MemoryBackend],
) -> None:
    hub, feed, store = live
    token = poll(store, None, "b")[TAIL]
    rerender(hub, feed, count="5 个站点")
    out = poll(store, token, "b")
    assert out[2] is no_update, "the map did not change: not resent"
    token = out[TAIL]
    new_map = {**feed.panels["map"], "b": fig([8], title="B")}
    rerender(hub, feed, map=new_map)
    out = poll(store, token, "b")
    assert out[2] == fig([8], title="B")


# Through Dash's own HTTP endpoint -----------------------------------------------------------


def dash_poll(client: Any, app: Any, token: str) -> Any:
    """POST the overview's live callback the way the browser does."""
    key = next(
        k
        for k in app.callback_map
        if '"part":"tick"' in str(app.callback_map[k]["inputs"]) and "overview" in k
    )
    spec = app.callback_map[key]
    return client.post(
        "/_dash-update-component",
        json={
            "output": key,
            "outputs": [
                {"id": o.component_id, "property": o.component_property} for o in spec["output"]
            ],
            "inputs": [
                {
                    "id": {"scene": "overview", "part": "tick"},
                    "property": "n_intervals",
                    "value": 3,
                },
                {
                    "id": {"scene": "overview", "part": "indicator"},
                    "property": "value",
                    "value": None,
                },
            ],
            "changedPropIds": ['{"part":"tick","scene":"overview"}.n_intervals'],
            "state": [
                {"id": {"scene": "overview", "part": "token"}, "property": "data", "value": token}
            ],
        },
    )


def test_dash_answers_204_when_nothing_changed(app_factory: Callable[..., Any]) -> None:
    app = app_factory()
    runtime_of(app).hub.collect_once(force=True)
    client = app.server.test_client()
    first = dash_poll(client, app, "")
    assert first.status_code == 200
    response = first.json["response"]
    token = response['{"part":"token","scene":"overview"}']["data"]
    assert token == runtime_of(app).read("meta:overview")["token"]
    assert response['{"part":"map","scene":"overview"}']["figure"]["layout"]
    second = dash_poll(client, app, token)
    assert second.status_code == 204 and second.data == b""
