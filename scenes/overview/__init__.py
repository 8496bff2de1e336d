"""城市运行总览: headline KPIs of every scene, county map, alerts and the way into each scene."""

from scenes.base import Panel, Scene
from scenes.overview import callbacks, layout, queries, transform
from scenes.overview.options import Options

SCENE = Scene(
    id="overview",
    title="城市运行总览",
    needs=queries.NEEDS,
    options=Options,
    panels=(
        Panel("kpis", "html"),
        Panel("map", "graph", variant_from="indicator"),
        Panel("alerts", "html"),
        Panel("cards", "html"),
        Panel("status", "html"),
    ),
    layout=layout.layout,
    build_view=transform.build_view,
    summarize=transform.summarize,
    register=callbacks.register,
    refresh_s=30.0,
    uses_summaries=True,
)
