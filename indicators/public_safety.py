"""Pure public-safety arithmetic: clearance and online rates, crowd load, alarm spikes, grids.

Definitions (docs/public_safety.md explains them for operators):
- 破案率 = 破案数 / 立案数 × 100 % over a period (None when nothing was registered).
- 视频在线率 = 在线路数 / 总路数 × 100 % (None when no camera is registered).
- 负载率 = 当前人数 / 核定容量; ≥ warn_ratio → 预警, ≥ over_ratio → 超限.
- A spike: an hour's alarms > k × the mean of the same hour on the previous days, and at
  least `min_count` alarms (so 3 vs a mean of 1 at night is not a spike).
- Grid cells: floor(coordinate / cell) on WGS-84 degrees, the same in SQL and here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean

LOAD_NORMAL, LOAD_WARN, LOAD_OVER = "正常", "预警", "超限"


def _rate(part: float, whole: float, name: str) -> float | None:
    if part < 0 or whole < 0:
        raise ValueError(f"{name}: counts must be >= 0 (got {part}/{whole})")
    if part > whole:
        raise ValueError(f"{name}: {part} exceeds {whole}")
    return None if whole == 0 else 100.0 * part / whole


def clearance_rate(registered: int, solved: int) -> float | None:
    """破案率 in percent: solved / registered over the same period and cases."""
    return _rate(solved, registered, "clearance_rate")


def online_rate(total: int, online: int) -> float | None:
    """视频在线率 in percent: cameras online / cameras registered."""
    return _rate(online, total, "online_rate")


@dataclass(frozen=True)
class Load:
    """A key area's crowd against its capacity."""

    count: int
    capacity: int
    ratio: float
    status: str  # 正常 / 预警 / 超限
    alert_level: int | None  # 2 for 超限, 3 for 预警, None otherwise

    @property
    def percent(self) -> int:
        """The load as a whole percentage, rounded half up (as shown on the wall)."""
        return math.floor(self.ratio * 100 + 0.5)


def load_status(
    count: int, capacity: int, warn_ratio: float = 0.8, over_ratio: float = 1.0
) -> Load:
    """Classify a crowd count against capacity (edges inclusive: 80 % is already 预警)."""
    if capacity <= 0:
        raise ValueError(f"capacity must be > 0 (got {capacity})")
    if count < 0:
        raise ValueError(f"count must be >= 0 (got {count})")
    if not 0 < warn_ratio < over_ratio:
        raise ValueError(f"need 0 < warn_ratio < over_ratio (got {warn_ratio}, {over_ratio})")
    ratio = count / capacity
    if ratio >= over_ratio:
        return Load(count, capacity, ratio, LOAD_OVER, 2)
    if ratio >= warn_ratio:
        return Load(count, capacity, ratio, LOAD_WARN, 3)
    return Load(count, capacity, ratio, LOAD_NORMAL, None)


@dataclass(frozen=True)
class Spike:
    """An hour whose alarms exceed k times the same hour's recent mean."""

    count: int
    baseline: float
    factor: float  # count / baseline (inf when the baseline is 0)


def detect_spike(
    count: int, previous: Sequence[int], *, k: float = 1.5, min_count: int = 10
) -> Spike | None:
    """A Spike when count > k × mean(previous) and count >= min_count; None otherwise.

    `previous` holds the same hour's counts on the earlier days (missing days count as 0,
    so pass them as 0). With no previous days there is no baseline and no spike.
    """
    if k <= 0 or min_count < 0:
        raise ValueError(f"need k > 0 and min_count >= 0 (got {k}, {min_count})")
    if not previous or count < min_count:
        return None
    baseline = fmean(previous)
    if count <= k * baseline:
        return None
    return Spike(count, baseline, count / baseline if baseline else math.inf)


def grid_index(lon: float, lat: float, cell_deg: float) -> tuple[int, int]:
    """The grid cell of a point: floor of the degree coordinate over the cell size."""
    if cell_deg <= 0:
        raise ValueError(f"cell_deg must be > 0 (got {cell_deg})")
    return math.floor(lon / cell_deg), math.floor(lat / cell_deg)


def cell_bounds(gx: int, gy: int, cell_deg: float) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a cell, in the coordinates it was built from."""
    return gx * cell_deg, gy * cell_deg, (gx + 1) * cell_deg, (gy + 1) * cell_deg


def grid_counts(
    points: Iterable[tuple[float, float]], cell_deg: float
) -> dict[tuple[int, int], int]:
    """Count points per cell (the pure twin of the SQL aggregation, for tests and small feeds)."""
    return dict(Counter(grid_index(lon, lat, cell_deg) for lon, lat in points))


def band_of(value: float, edges: Sequence[float]) -> int:
    """Index of the band `value` falls in: edges are inclusive upper bounds, ascending."""
    for i, edge in enumerate(edges):
        if value <= edge:
            return i
    return len(edges)
