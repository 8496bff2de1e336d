"""Callbacks of the 公共安全 scene: only the shared live polling callback."""

from __future__ import annotations

from typing import Any

from scenes.base import SceneIds


def register(app: Any, ids: SceneIds, runtime: Any) -> None:
    """Wire the live callback that fills every declared panel from the hub's snapshot."""
    from scenes.public_safety import SCENE  # lazy: the package imports this module
    from wall.live import register_live

    register_live(app, SCENE, runtime)
