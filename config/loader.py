"""Load the YAML config, validate it and each scene's options, and report one clear error."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from config.schema import SourceConfig, WallConfig

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "config" / "default.yaml"

_OPS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}


# The `kind` tags of the source union, e.g. ("sql", "http", "file").
SOURCE_KINDS = tuple(
    get_args(member.model_fields["kind"].annotation)[0]
    for member in get_args(get_args(SourceConfig)[0])
)


class ConfigError(ValueError):
    """A config problem, phrased as `path: what is wrong (got value)`."""


@dataclass(frozen=True)
class Settings:
    """The validated config plus each enabled scene's validated options, in display order."""

    config: WallConfig
    scene_options: Mapping[str, BaseModel]
    scene_order: tuple[str, ...]
    root: Path = REPO_ROOT

    def path(self, relative: str) -> Path:
        """Resolve a config path relative to the repository root."""
        p = Path(relative)
        return p if p.is_absolute() else self.root / p

    def env(self, name: str | None) -> str | None:
        """Read a secret or URL from the environment (never from the file)."""
        return os.environ.get(name) if name else None


def _plain(value: Any) -> Any:
    # pydantic reports float bounds as 20.0; people wrote 20.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _path(parts: tuple[Any, ...]) -> str:
    parts = tuple(p for p in parts if p not in ("function-after",))
    if len(parts) > 2 and parts[0] == "sources" and parts[2] in SOURCE_KINDS:
        # pydantic puts the union tag in the location: sources.citydb.sql.timeout_s
        parts = parts[:2] + parts[3:]
    return ".".join(str(p) for p in parts)


def describe_error(err: Mapping[str, Any], prefix: tuple[Any, ...] = ()) -> str:
    """Turn one pydantic error into `path: message (got value)`."""
    loc = _path((*prefix, *err["loc"]))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind in _OPS:
        key, sym = _OPS[kind]
        msg = f"must be {sym} {_plain(ctx.get(key))}"
    elif kind == "missing":
        return f"{loc}: is required"
    elif kind == "extra_forbidden":
        return f"{loc}: unknown key (check the spelling; see docs/config.md)"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        field = str(ctx.get("discriminator", "kind")).strip("'")
        tags = ctx.get("expected_tags", "")
        if kind == "union_tag_not_found":
            return f"{loc}.{field}: is required (one of {tags})"
        return f"{loc}.{field}: must be one of {tags} (got {ctx.get('tag')!r})"
    else:
        msg = err["msg"][0].lower() + err["msg"][1:]
    return f"{loc}: {msg} (got {err.get('input')!r})"


def _first_error(exc: ValidationError, prefix: tuple[Any, ...] = ()) -> ConfigError:
    errors = exc.errors()
    extra = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ConfigError(describe_error(errors[0], prefix) + extra)


def read_yaml(path: Path) -> dict[str, Any]:
    """Read the YAML file, naming the file in any error."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except yaml.YAMLError as exc:
        # One line: the problem and where, not PyYAML's multi-line excerpt.
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping (got {type(data).__name__})")
    return data


def build_settings(raw: Mapping[str, Any], root: Path = REPO_ROOT) -> Settings:
    """Validate a config mapping, including every scene's options and source references."""
    from scenes import SCENES_BY_ID

    try:
        config = WallConfig.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(exc) from None
    for scene_id in config.scenes:
        if scene_id not in SCENES_BY_ID:
            known = ", ".join(SCENES_BY_ID)
            raise ConfigError(f"scenes.{scene_id}: unknown scene (known: {known})")
    options: dict[str, BaseModel] = {}
    for scene_id, scene in SCENES_BY_ID.items():
        scene_cfg = config.scenes.get(scene_id)
        if scene_cfg is None or not scene_cfg.enabled:
            continue
        try:
            options[scene_id] = scene.options.model_validate(scene_cfg.options)
        except ValidationError as exc:
            raise _first_error(exc, ("scenes", scene_id, "options")) from None
        for need in scene.needs:
            if need.source not in config.sources:
                raise ConfigError(
                    f"scenes.{scene_id}: data need {need.product!r} names source "
                    f"{need.source!r}, which is not under sources (have: {', '.join(config.sources)})"
                )
    boundary = Path(config.city.boundary)
    boundary = boundary if boundary.is_absolute() else root / boundary
    if not boundary.is_file():
        raise ConfigError(f"city.boundary: file not found (got {config.city.boundary!r})")
    order = tuple(sorted(options, key=lambda s: (config.scenes[s].order, s)))
    if not order:
        raise ConfigError("scenes: no scene is enabled (got none)")
    return Settings(config=config, scene_options=options, scene_order=order, root=root)


def load_settings(path: str | Path | None = None) -> Settings:
    """Load settings from `path`, `$CITYOPS_CONFIG` or config/default.yaml."""
    chosen = Path(path or os.environ.get("CITYOPS_CONFIG") or DEFAULT_CONFIG)
    return build_settings(read_yaml(chosen))
