"""生态环境 scene: air quality (HJ 633 AQI, GB 3095 limits) and surface-water sections."""

from indicators.aqi import AQI_LEVELS
from scenes.base import CountyIndicator, DataNeed, Panel, Scene
from scenes.environment.callbacks import register
from scenes.environment.layout import layout
from scenes.environment.options import Options
from scenes.environment.queries import fetch_air, fetch_water
from scenes.environment.transform import AIR, WATER, build_view, summarize

# Integer AQI: half-point edges keep 50 in 优 and 51 in 良. PM2.5 bands are the HJ 633-2026
# 24-hour breakpoints (which the real-time report also uses for 1-hour PM2.5).
_AQI_BANDS = tuple(
    (lv.upper_bound + 0.5 if lv.upper_bound else 500.0, lv.color_hex) for lv in AQI_LEVELS
)
_PM25_BANDS = tuple(
    zip((35.5, 60.5, 115.5, 150.5, 250.5, 500.0), (lv.color_hex for lv in AQI_LEVELS), strict=True)
)

SCENE = Scene(
    id="environment",
    title="生态环境",
    needs=(
        DataNeed(
            AIR,
            "citydb",
            fetch_air,
            "空气自动监测",
            refresh_s=30.0,
            datasets=("air_hourly", "air_stations"),
        ),
        DataNeed(
            WATER,
            "citydb",
            fetch_water,
            "地表水自动监测",
            refresh_s=60.0,
            datasets=("water_quality", "water_sections"),
        ),
    ),
    options=Options,
    panels=(
        Panel("kpis", "html"),
        Panel("map", "graph"),
        Panel("trend", "graph"),
        Panel("station_rank", "graph"),
        Panel("county_rank", "html"),
        Panel("exceedances", "html"),
        Panel("water", "html"),
    ),
    layout=layout,
    build_view=build_view,
    summarize=summarize,
    register=register,
    refresh_s=30.0,
    indicators=(
        CountyIndicator("aqi", "空气质量AQI", "", bands=_AQI_BANDS, zmin=0.0, zmax=500.0),
        CountyIndicator("pm25", "PM2.5", "µg/m³", bands=_PM25_BANDS, zmin=0.0, zmax=500.0),
    ),
)
