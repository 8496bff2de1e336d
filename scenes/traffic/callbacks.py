"""Callbacks of the 交通运行 scene: the shared live callback plus "click a road, see its speeds"."""

from __future__ import annotations

from typing import Any

from dash import Input, Output
from dash.exceptions import PreventUpdate

from scenes.base import SceneIds


def road_from_click(click: Any) -> str:
    """The road name carried in a clicked segment's customdata ([segment_id, road])."""
    try:
        custom = click["points"][0]["customdata"]
    except (KeyError, IndexError, TypeError):
        raise PreventUpdate from None
    if not isinstance(custom, list | tuple) or len(custom) < 2 or not custom[1]:
        raise PreventUpdate  # a vehicle cell, an incident or the boundary: not a road
    return str(custom[1])


def register(app: Any, ids: SceneIds, runtime: Any) -> None:
    """Wire the live callback and the map click that picks the road whose curve is shown.

    The curve itself comes from the view the hub already stored (one figure per road, see
    transform.build_view["road_speed"]); the click only changes which one the live callback sends.
    """
    from scenes.traffic import SCENE  # lazy: the package imports this module
    from wall.live import register_live

    register_live(app, SCENE, runtime)

    @app.callback(
        Output(ids.part("road_pick"), "value"),
        Input(ids.part("map"), "clickData"),
        prevent_initial_call=True,
    )
    def _pick_road(click: Any) -> str:
        return road_from_click(click)
