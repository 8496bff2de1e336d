"""One contract over every registered scene (scenes.ALL_SCENES), like hassfest over manifests."""

from __future__ import annotations

import builtins
import importlib
import io
import json
import socket
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
import sqlalchemy as sa
from dash import Dash
from dash.development.base_component import Component
from pydantic import ValidationError

import scenes
from config.loader import DEFAULT_CONFIG
from data_sources.datasets import DATASETS
from data_sources.files import FileSource
from data_sources.http_feed import HttpSource
from data_sources.memory import MemoryBackend
from data_sources.redis_bus import RedisBackend
from data_sources.sql import SqlSource
from scenes.base import RenderContext, Scene, SceneSummary
from scenes.render import map_style
from tests.conftest import default_raw
from wall.geo import load_geo
from wall.live import DEFAULT_VARIANT
from wall.shell import SHELL, shell_layout

SCENES_DIR = Path(scenes.__file__).resolve().parent
ALL = scenes.ALL_SCENES
IDS = [s.id for s in ALL]
FOLDER_FILES = ("__init__.py", "layout.py", "transform.py", "queries.py", "callbacks.py")
LIVE_PARTS = ("tick", "token", "stale", "body")  # what the shared live callback writes or reads


@pytest.fixture(scope="module")
def ctx() -> RenderContext:
    """The render context of the default city, built once; loading it is I/O, rendering is not."""
    city = default_raw()["city"]
    geo = load_geo(
        DEFAULT_CONFIG.parent.parent / city["boundary"],
        name_field=city["name_field"],
        code_field=city["code_field"],
        center=tuple(city["center"]),
        zoom=city["zoom"],
        tolerance=city["simplify_tolerance"],
    )
    return RenderContext(
        city_name=city["name"],
        geo=geo,
        map_style=map_style("#07182b"),
        now=datetime(2026, 11, 29, 10, 30),
        summaries={},
        scene_titles={s.id: s.title for s in ALL},
        indicators={f"{s.id}.{i.key}": i for s in ALL for i in s.indicators},
        poll_s=2.0,
    )


def walk(root: Component) -> Iterator[Component]:
    """Every component in a layout, the root included."""
    yield root
    for child in root._traverse():
        if isinstance(child, Component):
            yield child


def component_ids(root: Component) -> list[Any]:
    """Every component id in a layout, in tree order."""
    return [c.id for c in walk(root) if getattr(c, "id", None) is not None]


def key(component_id: Any) -> str:
    """A hashable, readable form of a component id."""
    return json.dumps(component_id, sort_keys=True, ensure_ascii=False)


def no_io(*_args: Any, **_kwargs: Any) -> Any:
    """Stands in for every I/O entry point while a layout is built."""
    raise AssertionError("layout did I/O (a connection, a file or an adapter fetch)")


@pytest.fixture
def forbid_io(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sockets, files, engines and every adapter's reads raise."""
    for target, name in (
        (socket.socket, "connect"),
        (socket, "create_connection"),
        (builtins, "open"),
        (io, "open"),
        (sa.engine.Engine, "connect"),
        (sqlite3, "connect"),
        (psycopg, "connect"),
        (SqlSource, "fetch"),
        (HttpSource, "fetch"),
        (FileSource, "fetch"),
        (RedisBackend, "fetch"),
        (RedisBackend, "get"),
        (RedisBackend, "get_many"),
        (MemoryBackend, "fetch"),
        (MemoryBackend, "get"),
        (MemoryBackend, "get_many"),
    ):
        monkeypatch.setattr(target, name, no_io)


def build_layout(scene: Scene, ctx: RenderContext) -> Component:
    """The scene's layout with default options."""
    return scene.layout(scene.ids, scene.options(), ctx)


# Declaration -------------------------------------------------------------------------------


def test_scene_ids_are_unique() -> None:
    assert [i for i, n in Counter(IDS).items() if n > 1] == []
    assert SHELL not in IDS, "the shell's id scope is reserved"
    assert {s.id: s for s in ALL} == scenes.SCENES_BY_ID


@pytest.mark.parametrize("scene", ALL, ids=IDS)
def test_id_equals_its_folder_name(scene: Scene) -> None:
    package = importlib.import_module(f"scenes.{scene.id}")
    assert package.SCENE is scene, f"scenes/{scene.id}/__init__.py declares SCENE"
    assert Path(package.__file__).resolve().parent == SCENES_DIR / scene.id
    for fn in (scene.layout, scene.build_view, scene.summarize, scene.register):
        assert fn.__module__.startswith(f"scenes.{scene.id}."), (fn, fn.__module__)


@pytest.mark.parametrize("scene", ALL, ids=IDS)
def test_folder_has_the_standard_modules(scene: Scene) -> None:
    missing = [f for f in FOLDER_FILES if not (SCENES_DIR / scene.id / f).is_file()]
    assert missing == []


@pytest.mark.parametrize("scene", ALL, ids=IDS)
def test_options_have_defaults_and_forbid_unknown_keys(scene: Scene) -> None:
    options = scene.options()
    assert scene.options.model_config.get("extra") == "forbid"
    with pytest.raises(ValidationError):
        scene.options.model_validate({"no_such_option_anywhere": 1})
    assert scene.options.model_validate(options.model_dump()) == options


@pytest.mark.parametrize("scene", ALL, ids=IDS)
def test_data_needs_name_configured_sources(scene: Scene) -> None:
    sources = default_raw()["sources"]
    products = [n.product for n in scene.needs]
    assert len(products) == len(set(products)), "a product is declared once per scene"
    for need in scene.needs:
        assert need.source in sources, f"{need.product}: source {need.source!r} not in default.yaml"
        assert need.label.strip(), f"{need.product}: the stale badge needs a label"
        assert need.refresh_s > 0
        assert callable(need.fetch)
        unknown = [d for d in need.datasets if d not in DATASETS]
        assert unknown == [], f"{need.product}: refreshes on datasets that do not exist"
    assert scene.refresh_s > 0 and scene.title.strip()


# Layout ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scene", ALL, ids=IDS)
def test_layout_does_no_io(scene: Scene, ctx: RenderContext, forbid_io: None) -> None:
    layout = build_layout(scene, ctx)
    assert isinstance(layout, Component)


@pytest.mark.parametrize("scene", ALL, ids=IDS)
def test_every_component_id_is_scoped_to_the_scene(scene: Scene, ctx: RenderContext) -> None:
    ids = component_ids(build_layout(scene, ctx))
    assert ids, "a scene has ids the live callback writes to"
    for cid in ids:
        assert isinstance(cid, dict) and set(cid) == {"scene", "part"}, cid
        assert cid["scene"] == scene.id, cid
        assert isinstance(cid["part"], str) and cid["part"], cid
    assert [k for k, n in Counter(map(key, ids)).items() if n > 1] == []


@pytest.mark.parametrize("scene", ALL, ids=IDS)
def test_every_declared_panel_is_in_the_layout(scene: Scene, ctx: RenderContext) -> None:
    parts = {cid["part"] for cid in component_ids(build_layout(scene, ctx))}
    assert scene.panels, "a scene declares the panels its live callback fills"
    for panel in scene.panels:
        assert panel.name in parts, f"panel {panel.name!r} has no component"
        if panel.variant_from:
            assert panel.variant_from in parts, f"picker {panel.variant_from!r} is missing"
    assert set(LIVE_PARTS) <= parts, "use scenes.widgets.scene_frame"


def test_no_component_id_collides_across_scenes_and_the_shell(ctx: RenderContext) -> None:
    titles = {s.id: s.title for s in ALL}
    shell = component_ids(shell_layout("平台", ctx.city_name, titles, IDS, ticker_poll_s=5.0))
    assert all(isinstance(c, dict) and c.get("scene") == SHELL for c in shell)
    every = [key(c) for c in shell] + [
        key(c) for s in ALL for c in component_ids(build_layout(s, ctx))
    ]
    assert [k for k, n in Counter(every).items() if n > 1] == []


# Rendering ---------------------------------------------------------------------------------


def empty_products(scene: Scene) -> dict[str, None]:
    """What a scene gets before any of its products has been fetched once."""
    return {n.product: None for n in scene.needs}


def assert_not_blank(name: str, figure: Any) -> None:
    """A figure panel is a real figure with data or an explicit empty-state annotation."""
    assert isinstance(figure, dict) and "data" in figure and "layout" in figure, name
    assert figure["data"] or figure["layout"].get("annotations"), f"{name}: a blank chart"


@pytest.mark.parametrize("scene", ALL, ids=IDS)
def test_build_view_with_no_data_gives_empty_states(scene: Scene, ctx: RenderContext) -> None:
    view = scene.build_view(empty_products(scene), scene.options(), ctx)
    orjson.dumps(view)  # it goes into the snapshot store as JSON
    for panel in scene.panels:
        assert panel.name in view, f"panel {panel.name!r} missing from build_view"
        value = view[panel.name]
        assert value is not None, panel.name
        if panel.variant_from:
            assert isinstance(value, dict) and DEFAULT_VARIANT in value, panel.name
            for variant, figure in value.items():
                assert_not_blank(f"{panel.name}[{variant}]", figure)
        elif panel.kind == "graph":
            assert_not_blank(panel.name, value)


@pytest.mark.parametrize("scene", ALL, ids=IDS)
def test_summarize_with_no_data(scene: Scene, ctx: RenderContext) -> None:
    summary = scene.summarize(empty_products(scene), scene.options(), ctx)
    assert isinstance(summary, SceneSummary)
    orjson.dumps(summary.as_dict())
    assert all(a.scene == scene.id for a in summary.alerts)
    assert set(summary.county_values) <= {i.key for i in scene.indicators}


# Callbacks ---------------------------------------------------------------------------------


def outputs_of(spec: dict[str, Any]) -> list[Any]:
    """The Output objects of one callback_map entry."""
    out = spec["output"]
    return list(out) if isinstance(out, list | tuple) else [out]


@pytest.fixture(scope="module")
def _all_enabled() -> dict[str, Any]:
    return {"scenes": {sid: {"enabled": True} for sid in IDS}}


@pytest.fixture
def wall_app(
    app_factory: Callable[..., Any], settings_factory: Callable[..., Any], _all_enabled: dict
) -> Any:
    """A real app with every registered scene enabled."""
    return app_factory(settings_factory(_all_enabled))


@pytest.mark.parametrize("scene", ALL, ids=IDS)
def test_callbacks_write_only_their_own_scene(scene: Scene, wall_app: Any) -> None:
    from app import runtime_of

    bare = Dash(__name__)
    scene.register(bare, scene.ids, runtime_of(wall_app))
    assert bare.callback_map, "a scene registers at least its live callback"
    written = set()
    for spec in bare.callback_map.values():
        for output in outputs_of(spec):
            cid = output.component_id
            assert isinstance(cid, dict) and cid.get("scene") == scene.id, cid
            written.add(cid["part"])
    missing = [p.name for p in scene.panels if p.name not in written]
    assert missing == [], "every panel is written by a callback"


def test_real_app_outputs_are_scoped_and_unique(wall_app: Any) -> None:
    owners = set(IDS) | {SHELL}
    seen = Counter()
    for spec in wall_app.callback_map.values():
        for output in outputs_of(spec):
            cid = output.component_id
            assert isinstance(cid, dict) and cid.get("scene") in owners, cid
            seen[(key(cid), output.component_property)] += 1
    assert [k for k, n in seen.items() if n > 1] == []
