"""网格化治理 scene: generated unit grids (CJ/T 349-style codes), grid members, and events from
grids in the case workflow — heat map per grid, city → county → township statistics, a click
on a grid for its events and members."""

from scenes.base import CountyIndicator, DataNeed, Panel, Scene
from scenes.grid_governance.callbacks import register
from scenes.grid_governance.layout import layout
from scenes.grid_governance.options import Options
from scenes.grid_governance.queries import fetch_detail, fetch_grids, fetch_stats
from scenes.grid_governance.transform import DETAIL, GRIDS, STATS, build_view, summarize

CASE_DATASETS = ("cases", "case_transitions")

SCENE = Scene(
    id="grid_governance",
    title="网格化治理",
    needs=(
        DataNeed(GRIDS, "citydb", fetch_grids, "单元网格（生成）", refresh_s=300.0, datasets=("grid_cells",)),
        DataNeed(STATS, "citydb", fetch_stats, "网格事件统计", refresh_s=15.0, datasets=CASE_DATASETS),
        DataNeed(
            DETAIL,
            "citydb",
            fetch_detail,
            "网格事件与网格员",
            refresh_s=15.0,
            datasets=(*CASE_DATASETS, "grid_members", "grid_cells"),
        ),
    ),
    options=Options,
    panels=(
        Panel("kpis", "html"),
        Panel("map", "graph"),
        Panel("counties", "html"),
        Panel("townships", "graph", variant_from="county"),
        Panel("categories", "graph"),
        Panel("trend", "graph"),
    ),
    layout=layout,
    build_view=build_view,
    summarize=summarize,
    register=register,
    refresh_s=15.0,
    indicators=(CountyIndicator("open", "网格事件办理中", "件", zmin=0.0, zmax=100.0),),
)  # fmt: skip
