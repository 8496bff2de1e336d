"""交通运行 scene: GB/T 33171 road-segment grades, network TPI/TTI/DTP, incidents and vehicles."""

from indicators.traffic import GRADE_COLORS, GRADES
from scenes.base import CountyIndicator, DataNeed, Panel, Scene
from scenes.traffic.callbacks import register
from scenes.traffic.layout import layout
from scenes.traffic.options import Options
from scenes.traffic.queries import fetch_live, fetch_network
from scenes.traffic.transform import LIVE, NET, build_view, summarize

# TPI is shown with one decimal: half-step edges keep 1.9 畅通 and 2.0 基本畅通 (§8.2 bands).
_TPI_BANDS = tuple(
    zip((1.95, 3.95, 5.95, 7.95, 10.0), (GRADE_COLORS[g] for g in GRADES), strict=True)
)

SCENE = Scene(
    id="traffic",
    title="交通运行",
    needs=(
        DataNeed(
            NET,
            "citydb",
            fetch_network,
            "路网与今日车速",
            refresh_s=60.0,
            datasets=("traffic_segments",),
        ),
        DataNeed(
            LIVE,
            "citydb",
            fetch_live,
            "实时路况与车辆定位",
            refresh_s=15.0,
            datasets=("traffic_speed", "traffic_incidents", "traffic_vehicles"),
        ),
    ),
    options=Options,
    panels=(
        Panel("kpis", "html"),
        Panel("map", "graph"),
        Panel("curve", "graph"),
        Panel("shares", "graph"),
        Panel("ranking", "graph"),
        Panel("incidents", "html"),
        Panel("road_speed", "graph", variant_from="road_pick"),
    ),
    layout=layout,
    build_view=build_view,
    summarize=summarize,
    register=register,
    refresh_s=15.0,
    indicators=(CountyIndicator("tpi", "交通运行指数", "", bands=_TPI_BANDS, zmin=0.0, zmax=10.0),),
)
