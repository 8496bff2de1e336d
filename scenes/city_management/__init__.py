"""城市管理 scene (数字城管): parts inventory, 城管 cases through the workflow, the six
workflow rates with drill-down to the cases behind them, overdue departments, the department
ranking and a case density map."""

from scenes.base import CountyIndicator, DataNeed, Panel, Scene
from scenes.city_management.callbacks import register
from scenes.city_management.layout import layout
from scenes.city_management.options import Options
from scenes.city_management.queries import fetch_cases, fetch_drill, fetch_parts
from scenes.city_management.transform import CASES, DRILL, PARTS, build_view, summarize

SCENE = Scene(
    id="city_management",
    title="城市管理",
    needs=(
        DataNeed(
            PARTS, "citydb", fetch_parts, "城管部件普查", refresh_s=300.0, datasets=("city_parts",)
        ),
        DataNeed(
            CASES,
            "citydb",
            fetch_cases,
            "城管案件统计",
            refresh_s=10.0,
            datasets=("cases", "case_transitions"),
        ),
        # Bounded case lists behind every rate tile: refreshed on a timer only (not on every
        # ingest), as the lists are larger than the counts and nobody needs them to the second.
        DataNeed(DRILL, "citydb", fetch_drill, "城管考核案件清单", refresh_s=60.0),
    ),
    options=Options,
    panels=(
        Panel("rates", "html"),
        Panel("asof", "html"),
        Panel("efficiency", "html"),
        Panel("parts", "html"),
        Panel("categories", "html"),
        Panel("stages", "html"),
        Panel("overdue", "html"),
        Panel("ranking", "html"),
        Panel("map", "graph"),
        Panel("core_map", "graph"),
    ),
    layout=layout,
    build_view=build_view,
    summarize=summarize,
    register=register,
    refresh_s=10.0,
    indicators=(CountyIndicator("open_cases", "在办城管案件", "件", zmin=0.0, zmax=100.0),),
)
