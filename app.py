"""Build the Dash app: `create_app(config=None)`; `server` is for gunicorn; `python app.py` serves."""

from __future__ import annotations

import atexit
import logging
import os
from pathlib import Path
from typing import Any

from dash import Dash, html

from config import ConfigError, Settings, build_settings, load_settings
from wall.api import register_api
from wall.callbacks import register_shell
from wall.runtime import Runtime, build_runtime
from wall.shell import shell_layout

ROOT = Path(__file__).resolve().parent


def _settings(config: Settings | dict[str, Any] | str | Path | None) -> Settings:
    if isinstance(config, Settings):
        return config
    if isinstance(config, dict):
        return build_settings(config)
    return load_settings(config)


def create_app(
    config: Settings | dict[str, Any] | str | Path | None = None,
    *,
    start: bool = True,
    redis_url: str | None = None,
) -> Dash:
    """Create the wall app from settings (or a config mapping/path); `start` runs the hub."""
    settings = _settings(config)
    runtime = build_runtime(settings, redis_url=redis_url)
    cfg = settings.config
    app = Dash(
        __name__,
        title=f"{cfg.city.name} · {cfg.city.platform_title}",
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,
        compress=True,
        update_title=None,
    )
    titles = {s: runtime.scenes[s].title for s in settings.scene_order}
    app.layout = shell_layout(
        cfg.city.platform_title, cfg.city.name, titles, settings.scene_order, ticker_poll_s=5.0
    )
    ctx = runtime.context()
    app.validation_layout = html.Div(
        [
            app.layout,
            *(
                s.layout(s.ids, settings.scene_options[sid], ctx)
                for sid, s in runtime.scenes.items()
            ),
        ]
    )
    register_shell(app, runtime)
    for scene in runtime.scenes.values():
        scene.register(app, scene.ids, runtime)
    register_api(app.server, runtime)
    app.server.extensions["cityops"] = runtime
    runtime.prepare_store()
    if start:
        runtime.start()
        atexit.register(runtime.close)
    return app


def runtime_of(app: Dash) -> Runtime:
    """Return the runtime an app was built with (tests and tools use it)."""
    return app.server.extensions["cityops"]


def main() -> None:
    """Serve with Flask's server (use gunicorn for production, see docs/deploy.md)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        app = create_app()
    except ConfigError as exc:
        raise SystemExit(f"config error: {exc}") from None
    app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8050")),
        debug=False,
    )


def __getattr__(name: str) -> Any:
    """Build `server` on first access, so gunicorn (`app:server`) gets one app per worker."""
    if name == "server":
        return create_app().server
    raise AttributeError(name)


if __name__ == "__main__":
    main()
