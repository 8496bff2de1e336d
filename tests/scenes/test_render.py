"""Shared figure helpers: map text names the bundled CJK font."""

from __future__ import annotations

import plotly.graph_objects as go

from scenes.render import FONT, county_labels, figure
from tests.conftest import city_geo


def test_map_labels_get_the_bundled_font_family() -> None:
    # MapLibre draws text without a family in the system "sans-serif": tofu without CJK fonts.
    fig = figure([county_labels(city_geo(), {})])
    assert fig["data"][0]["textfont"]["family"] == FONT
    assert "Noto Sans SC" in FONT


def test_an_explicit_map_font_and_other_traces_are_left_alone() -> None:
    fig = figure(
        [
            go.Scattermap(
                lon=[116], lat=[36.4], mode="text", text=["甲"], textfont={"family": "X"}
            ),
            go.Bar(x=[1], y=[2]),
        ]
    )
    assert fig["data"][0]["textfont"]["family"] == "X"
    assert "textfont" not in fig["data"][1]
