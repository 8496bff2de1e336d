"""应急管理 scene "风险防控一张图": events (突发事件应对法 types/grades, Decree 493 accident
grades), meteorological warnings, resources, risk sources and IoT sensors on one map."""

from scenes.base import CountyIndicator, DataNeed, Panel, Scene
from scenes.emergency.callbacks import register
from scenes.emergency.layout import layout
from scenes.emergency.options import Options
from scenes.emergency.queries import fetch_events, fetch_sites
from scenes.emergency.transform import EVENTS, SITES, build_view, summarize

SCENE = Scene(
    id="emergency",
    title="应急管理",
    needs=(
        DataNeed(
            EVENTS,
            "citydb",
            fetch_events,
            "突发事件与预警",
            refresh_s=15.0,
            datasets=("emergency_events", "emergency_event_log", "emergency_warnings"),
        ),
        DataNeed(
            SITES,
            "citydb",
            fetch_sites,
            "应急资源与物联感知",
            refresh_s=15.0,
            datasets=(
                "emergency_resources",
                "emergency_risk_sources",
                "emergency_sensors",
                "emergency_readings",
            ),
        ),
    ),
    options=Options,
    panels=(
        Panel("kpis", "html"),
        Panel("map", "graph"),
        Panel("stats", "html"),
        Panel("warnings", "html"),
        Panel("sensors", "html"),
        Panel("resources", "html"),
        Panel("event_picker", "html"),
        Panel("event_timeline", "graph", variant_from="event"),
        Panel("event_nearby", "graph", variant_from="event"),
    ),
    layout=layout,
    build_view=build_view,
    summarize=summarize,
    register=register,
    refresh_s=15.0,
    indicators=(
        # Active events + warning signals in force per county (a documented count, not a standard).
        CountyIndicator(
            "risk",
            "应急风险（事件+预警）",
            "项",
            bands=(
                (0.5, "#1d4f7a"),
                (1.5, "#4d8dff"),
                (2.5, "#ffd23f"),
                (3.5, "#ff8c3a"),
                (20.0, "#ff4d4f"),
            ),
            zmin=0.0,
            zmax=20.0,
        ),
    ),
)
