"""Overview callbacks: the shared live callback (the indicator picker is a variant input)."""

from __future__ import annotations

from typing import Any

from dash import Dash

from scenes.base import SceneIds
from wall.live import register_live


def register(app: Dash, ids: SceneIds, runtime: Any) -> None:
    """Wire the overview's polling callback."""
    from scenes.overview import SCENE

    register_live(app, SCENE, runtime)
