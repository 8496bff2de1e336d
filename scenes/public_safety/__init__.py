"""公共安全 scene: 110 alarms (trends, categories, density), key-area crowds, cameras, cases."""

from scenes.base import CountyIndicator, DataNeed, Panel, Scene
from scenes.public_safety.callbacks import register
from scenes.public_safety.layout import layout
from scenes.public_safety.options import Options
from scenes.public_safety.queries import fetch_alarms, fetch_areas, fetch_status
from scenes.public_safety.transform import ALARMS, AREAS, STATUS, build_view, summarize

SCENE = Scene(
    id="public_safety",
    title="公共安全",
    needs=(
        DataNeed(
            ALARMS,
            "citydb",
            fetch_alarms,
            "110接处警",
            refresh_s=15.0,
            datasets=("public_safety_alarms",),
        ),  # fmt: skip
        DataNeed(
            AREAS,
            "citydb",
            fetch_areas,
            "重点区域客流",
            refresh_s=15.0,
            datasets=("public_safety_crowds", "public_safety_areas"),
        ),
        DataNeed(
            STATUS,
            "citydb",
            fetch_status,
            "视频监控与案件统计",
            refresh_s=60.0,
            datasets=("public_safety_cameras", "public_safety_cases"),
        ),
    ),
    options=Options,
    panels=(
        Panel("kpis", "html"),
        Panel("map", "graph"),
        Panel("core_map", "graph"),
        Panel("hourly", "graph"),
        Panel("daily", "graph"),
        Panel("categories", "graph"),
        Panel("areas", "html"),
        Panel("cameras", "graph"),
    ),
    layout=layout,
    build_view=build_view,
    summarize=summarize,
    register=register,
    refresh_s=15.0,
    indicators=(CountyIndicator("alarms", "今日警情", "起", zmin=0.0, zmax=120.0),),
)
