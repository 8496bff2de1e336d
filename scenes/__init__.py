"""The scene registry: an explicit list. Adding a scene is one folder plus one line here."""

from scenes.base import Scene
from scenes.city_management import SCENE as CITY_MANAGEMENT
from scenes.emergency import SCENE as EMERGENCY
from scenes.environment import SCENE as ENVIRONMENT
from scenes.grid_governance import SCENE as GRID_GOVERNANCE
from scenes.overview import SCENE as OVERVIEW
from scenes.public_safety import SCENE as PUBLIC_SAFETY
from scenes.traffic import SCENE as TRAFFIC

ALL_SCENES: tuple[Scene, ...] = (
    OVERVIEW,
    ENVIRONMENT,
    TRAFFIC,
    EMERGENCY,
    PUBLIC_SAFETY,
    GRID_GOVERNANCE,
    CITY_MANAGEMENT,
)

SCENES_BY_ID: dict[str, Scene] = {s.id: s for s in ALL_SCENES}

__all__ = ["ALL_SCENES", "SCENES_BY_ID", "Scene"]
