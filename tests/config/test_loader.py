"""Config is validated once: the default loads, every mistake is one line naming path and
value, and another city is another config, not code."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import scenes
from config import ConfigError, Settings, build_settings, load_settings
from config.loader import DEFAULT_CONFIG, read_yaml
from scenes.base import CountyIndicator, DataNeed, SceneSummary
from tests.conftest import REPO_ROOT, deep_merge, default_raw


def registered_raw(tmp_path: Path) -> dict[str, Any]:
    """default.yaml limited to the registered scenes, with the test's own SQLite file."""
    raw = default_raw()
    raw["scenes"] = {k: v for k, v in raw["scenes"].items() if k in scenes.SCENES_BY_ID}
    raw["simulator"]["enabled"] = False
    raw["sources"]["citydb"]["default_url"] = f"sqlite:///{tmp_path / 'city.db'}"
    return raw


def error_of(raw: dict[str, Any]) -> str:
    """The ConfigError message for a raw config (the test fails if it is accepted)."""
    with pytest.raises(ConfigError) as info:
        build_settings(raw)
    message = str(info.value)
    assert "\n" not in message, f"one line, please: {message!r}"
    return message


# The default -------------------------------------------------------------------------------


def test_default_config_loads_as_shipped() -> None:
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    settings = load_settings()  # no CITYOPS_CONFIG: config/default.yaml
    assert isinstance(settings, Settings)
    enabled = {k for k, v in raw["scenes"].items() if (v or {}).get("enabled", True)}
    assert set(settings.scene_order) == enabled
    orders = [raw["scenes"][s].get("order", 0) for s in settings.scene_order]
    assert orders == sorted(orders), "scenes are shown in their configured order"
    assert settings.config.city.adcode == "371500"
    assert settings.path(settings.config.city.boundary).is_file()
    for sid, options in settings.scene_options.items():
        assert isinstance(options, scenes.SCENES_BY_ID[sid].options)


def test_default_config_is_valid_for_every_registered_scene(tmp_path: Path) -> None:
    settings = build_settings(registered_raw(tmp_path))
    assert set(settings.scene_order) == set(scenes.SCENES_BY_ID) & set(default_raw()["scenes"])


def test_cityops_config_env_picks_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = registered_raw(tmp_path)
    raw["city"]["name"] = "另一座城"
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CITYOPS_CONFIG", str(path))
    assert load_settings().config.city.name == "另一座城"


# One message naming path and value ---------------------------------------------------------

BAD_VALUES = {
    "scene-option-range": (
        {"scenes": {"overview": {"options": {"max_kpis": -3}}}},
        "scenes.overview.options.max_kpis: must be > 0 (got -3)",
    ),
    "scene-option-type": (
        {"scenes": {"overview": {"options": {"max_alerts": "many"}}}},
        "scenes.overview.options.max_alerts: input should be a valid integer, "
        "unable to parse string as an integer (got 'many')",
    ),
    "city-zoom": ({"city": {"zoom": 30}}, "city.zoom: must be <= 20 (got 30)"),
    "city-adcode": (
        {"city": {"adcode": "37150"}},
        "city.adcode: string should match pattern '^\\d{6}$' (got '37150')",
    ),
    "poll-interval": (
        {"refresh": {"browser_poll_s": 0}},
        "refresh.browser_poll_s: must be > 0 (got 0)",
    ),
    "source-timeout": (
        {"sources": {"citydb": {"timeout_s": -1}}},
        "sources.citydb.timeout_s: must be > 0 (got -1)",
    ),
    "source-kind": (
        {"sources": {"citydb": {"kind": "mongo"}}},
        "sources.citydb.kind: must be one of 'sql', 'http', 'file' (got 'mongo')",
    ),
    "ingest-limit": ({"ingest": {"max_records": 0}}, "ingest.max_records: must be > 0 (got 0)"),
    "history-days": (
        {"simulator": {"history_days": 91}},
        "simulator.history_days: must be <= 90 (got 91)",
    ),
    "unknown-top-level-key": (
        {"colour": "red"},
        "colour: unknown key (check the spelling; see docs/config.md)",
    ),
    "unknown-city-key": (
        {"city": {"zoom_level": 8}},
        "city.zoom_level: unknown key (check the spelling; see docs/config.md)",
    ),
    "unknown-source-key": (
        {"sources": {"citydb": {"urll": "x"}}},
        "sources.citydb.urll: unknown key (check the spelling; see docs/config.md)",
    ),
    "unknown-scene-option": (
        {"scenes": {"overview": {"options": {"max_kpi": 3}}}},
        "scenes.overview.options.max_kpi: unknown key (check the spelling; see docs/config.md)",
    ),
    "missing-boundary-file": (
        {"city": {"boundary": "data/geo/atlantis_counties.geojson"}},
        "city.boundary: file not found (got 'data/geo/atlantis_counties.geojson')",
    ),
    "no-scene-enabled": (
        {"scenes": {"overview": {"enabled": False}}},
        "scenes: no scene is enabled (got none)",
    ),
}


@pytest.mark.parametrize("case", BAD_VALUES, ids=list(BAD_VALUES))
def test_bad_value_gives_one_message_naming_path_and_value(case: str, tmp_path: Path) -> None:
    overrides, expected = BAD_VALUES[case]
    raw = registered_raw(tmp_path)
    if case == "no-scene-enabled":
        raw["scenes"] = {sid: {**cfg, "enabled": False} for sid, cfg in raw["scenes"].items()}
    assert error_of(deep_merge(raw, overrides)) == expected


def test_several_mistakes_still_give_one_line(tmp_path: Path) -> None:
    raw = deep_merge(
        registered_raw(tmp_path),
        {"scenes": {"overview": {"options": {"max_kpis": -3, "max_alerts": 0}}}},
    )
    assert error_of(raw) == "scenes.overview.options.max_kpis: must be > 0 (got -3) (and 1 more)"


def test_missing_required_key(tmp_path: Path) -> None:
    raw = registered_raw(tmp_path)
    del raw["city"]["center"]
    assert error_of(raw) == "city.center: is required"


def test_unknown_scene_id(tmp_path: Path) -> None:
    raw = deep_merge(registered_raw(tmp_path), {"scenes": {"traffik": {"order": 9}}})
    message = error_of(raw)
    assert message.startswith("scenes.traffik: unknown scene (known: ")
    for sid in scenes.SCENES_BY_ID:
        assert sid in message


def test_data_need_naming_an_unknown_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overview = scenes.SCENES_BY_ID["overview"]
    need = DataNeed("probe.readings", "warehouse", lambda _s: [], label="探针数据")
    probe = dataclasses.replace(overview, id="probe", needs=(need,))
    monkeypatch.setitem(scenes.SCENES_BY_ID, "probe", probe)
    raw = deep_merge(registered_raw(tmp_path), {"scenes": {"probe": {"order": 5}}})
    assert error_of(raw) == (
        "scenes.probe: data need 'probe.readings' names source 'warehouse', which is not "
        f"under sources (have: {', '.join(raw['sources'])})"
    )


def test_boundary_without_the_configured_name_field(
    settings_factory: Callable[..., Settings], app_factory: Callable[..., Any]
) -> None:
    settings = settings_factory({"city": {"name_field": "名称"}})
    with pytest.raises(
        ConfigError, match=r"^city\.boundary: liaocheng_counties\.geojson has no property '名称'"
    ):
        app_factory(settings)


# The file itself ---------------------------------------------------------------------------

BAD_FILES = {
    "syntax": (
        "city:\n  name: x\n   adcode: 1\n",
        "not valid YAML at line 3, column 10: mapping values are not allowed here",
    ),
    "unclosed": ("city: [unclosed\n", "not valid YAML at line 2, column 1: expected ',' or ']'"),
    "list": ("- city\n- scenes\n", "top level must be a mapping (got list)"),
    "empty": ("", "top level must be a mapping (got NoneType)"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_wrong_yaml_is_one_line_naming_the_file(case: str, tmp_path: Path) -> None:
    text, expected = BAD_FILES[case]
    path = tmp_path / "wall.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {expected}")


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="^config file not found: .*nowhere.yaml$"):
        read_yaml(tmp_path / "nowhere.yaml")


# Another city is another config ------------------------------------------------------------

SHANDONG = {
    "city": {
        "name": "山东省",
        "adcode": "370000",
        "boundary": "data/geo/shandong_cities.geojson",
        "outline": None,
        "name_field": "name",
        "code_field": "adcode",
        "center": [118.2, 36.3],
        "zoom": 5.6,
    }
}


def test_the_city_is_config(
    settings_factory: Callable[..., Settings], app_factory: Callable[..., Any]
) -> None:
    from app import runtime_of
    from scenes.overview import transform

    settings = settings_factory(SHANDONG)
    app = app_factory(settings)
    runtime = runtime_of(app)
    assert app.title.startswith("山东省")
    geo = runtime.geo
    assert len(geo.counties["features"]) == 16
    assert {"济南市", "青岛市", "聊城市"} <= set(geo.names.values())
    assert all(len(code) == 6 and code.startswith("37") for code in geo.names)

    # The overview's county map, coloured by a peer's per-city indicator, covers all 16.
    codes = list(geo.names)
    summary = SceneSummary(county_values={"level": {c: float(i) for i, c in enumerate(codes)}})
    ctx = runtime.context(summaries={"probe": summary})
    ctx = dataclasses.replace(
        ctx,
        scene_titles={**ctx.scene_titles, "probe": "探针"},
        indicators={"probe.level": CountyIndicator("level", "探针指标", zmax=16)},
    )
    view = transform.build_view({}, settings.scene_options["overview"], ctx)
    fill, labels = view["map"]["probe.level"]["data"]
    assert len(fill["geojson"]["features"]) == 16
    assert sorted(fill["locations"]) == sorted(codes)
    assert len(labels["text"]) == 16 and any("济南市" in t for t in labels["text"])
    center = view["map"]["probe.level"]["layout"]["map"]["center"]
    minx, miny, maxx, maxy = geo.bounds
    assert minx < center["lon"] < maxx and miny < center["lat"] < maxy
    assert abs(center["lon"] - (minx + maxx) / 2) < 1.0, "centred on the province, not Liaocheng"

    # The real hub renders the overview for this city too, with the city in its layout.
    runtime.hub.collect_once(force=True)
    assert runtime.read("view:overview")["panels"]["map"]
    overview = runtime.scenes["overview"]
    layout = overview.layout(overview.ids, settings.scene_options["overview"], runtime.context())
    assert "山东省各区县态势" in str(layout)


# `python app.py` ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["bad-value", "bad-yaml"])
def test_app_exits_with_one_config_error_line(case: str, tmp_path: Path) -> None:
    path = tmp_path / "wall.yaml"
    if case == "bad-value":
        raw = deep_merge(
            registered_raw(tmp_path), {"scenes": {"overview": {"options": {"max_kpis": -3}}}}
        )
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        expected = "config error: scenes.overview.options.max_kpis: must be > 0 (got -3)"
    else:
        path.write_text("city: [unclosed\n", encoding="utf-8")
        expected = f"config error: {path}: not valid YAML at line 2, column 1: "
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["CITYOPS_CONFIG"] = str(path)
    done = subprocess.run(
        [sys.executable, "app.py"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("config error:")
    assert lines[0].startswith(expected)
    assert "Traceback" not in done.stdout + done.stderr
