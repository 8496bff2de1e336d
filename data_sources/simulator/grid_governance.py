"""Seeded demo feed for 网格化治理: generated unit grids, grid members and events from grids.

Grids come from `grids.generate_grids` (labelled generated). Events follow a day/night rhythm
and favour a seeded handful of busy grids, so the heat map has hot spots and some grids cross
the alert threshold; each event runs through the case workflow (`case_flow`). Members report
status and position every 10 minutes; they are identified by code only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import shapely

from data_sources.datasets.base import to_local_naive
from data_sources.datasets.cases import GRID_EVENT_CATEGORIES
from data_sources.simulator.base import Batch
from data_sources.simulator.case_flow import EPOCH, HOUR, CaseFlow, Profile, Shares
from data_sources.simulator.grids import GridCell, generate_grids
from indicators.coords import gcj02_to_wgs84_array
from scenes.base import Geo

SLOT = timedelta(minutes=10)
# Events by hour of day (relative).
HOURLY_SHAPE = (0.4, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.4, 2.4, 2.8, 2.9, 2.6, 1.8, 1.6, 2.3, 2.6, 2.5, 2.1, 1.5, 1.2, 1.0, 0.9, 0.7, 0.5)  # fmt: skip
CATEGORY_MIX = (0.2, 0.18, 0.24, 0.2, 0.08, 0.04, 0.06)  # GRID_EVENT_CATEGORIES order
SUBCATEGORIES = {
    "矛盾纠纷": ("邻里纠纷", "婚姻家庭纠纷", "劳资纠纷", "物业纠纷"),
    "安全隐患": ("消防通道堵塞", "电动车违规充电", "燃气隐患", "危房隐患"),
    "环境卫生": ("垃圾乱堆", "污水外溢", "绿化带破坏", "焚烧秸秆"),
    "民生诉求": ("供水问题", "供暖问题", "道路破损", "路灯不亮"),
    "治安防控": ("可疑人员", "群租房", "寄递物流隐患"),
    "特殊人群服务": ("独居老人走访", "困难群众帮扶"),
    "其他事项": ("政策咨询", "其他"),
}
PROFILES = {
    "矛盾纠纷": Profile(72, ("司法所", "社区居委会", "综治中心")),
    "安全隐患": Profile(24, ("应急管理所", "消防救援站", "社区居委会")),
    "环境卫生": Profile(24, ("环卫所", "社区居委会")),
    "民生诉求": Profile(72, ("社区居委会", "民政办", "住建站")),
    "治安防控": Profile(24, ("派出所", "综治中心")),
    "特殊人群服务": Profile(120, ("民政办", "社区居委会")),
    "其他事项": Profile(72, ("综治中心",)),
}
BUSY_SHARE = 0.04  # share of grids with a higher event rate
BUSY_FACTOR = 6.0


class GridGovernanceSim:
    """Deterministic grids, members and grid events for the counties in `geo`."""

    name = "grid_governance"

    def __init__(
        self,
        seed: int,
        *,
        grids: int = 300,
        members_per_grid: float = 1.6,
        events_per_day: int = 320,
    ) -> None:
        if grids <= 0 or events_per_day <= 0 or members_per_grid <= 0:
            raise ValueError(
                f"grids, members_per_grid and events_per_day must be > 0 (got {grids}, {members_per_grid}, {events_per_day})"
            )
        self.seed, self.n_grids = seed, grids
        self.members_per_grid, self.events_per_day = members_per_grid, events_per_day
        self._geo_key: int | None = None
        self._cells: list[GridCell] = []
        self._weights = np.zeros(0)
        self._member_slot: datetime | None = None
        self._member_rows: list[dict[str, Any]] = []
        self._flow = CaseFlow(seed, 83, self._reports, Shares())

    def cells(self, geo: Geo) -> list[GridCell]:
        """The generated grids of `geo` (computed once per geo)."""
        if self._geo_key != id(geo):
            self._cells = generate_grids(geo, self.seed, self.n_grids)
            rng = np.random.default_rng([self.seed, 84])
            busy = rng.random(len(self._cells)) < BUSY_SHARE
            w = np.where(busy, BUSY_FACTOR, 1.0) * rng.uniform(0.5, 1.5, len(self._cells))
            self._weights = w / w.sum()
            self._geo_key = id(geo)
        return self._cells

    def _reports(self, h: int) -> list[tuple[dict[str, Any], Any]]:
        cells = self._cells
        if not cells:
            return []
        hour = EPOCH + h * HOUR
        rng = np.random.default_rng([self.seed, 85, h])
        weekend = 0.8 if hour.weekday() >= 5 else 1.0
        mean = self.events_per_day * weekend * HOURLY_SHAPE[hour.hour] / sum(HOURLY_SHAPE)
        n = int(rng.poisson(mean))
        out = []
        picks = rng.choice(len(cells), size=n, p=self._weights)
        cats = rng.choice(len(GRID_EVENT_CATEGORIES), size=n, p=CATEGORY_MIX)
        minutes = np.sort(rng.uniform(0, 60, n))
        for k in range(n):
            cell = cells[int(picks[k])]
            category = GRID_EVENT_CATEGORIES[int(cats[k])]
            subs = SUBCATEGORIES[category]
            lon, lat = self._point(cell, rng)
            report = {
                "case_id": f"WG{hour:%Y%m%d%H}{k:03d}",
                "source": "网格",
                "kind": "事件",
                "category": category,
                "subcategory": subs[int(rng.integers(0, len(subs)))],
                "grid_code": cell.grid_code,
                "county": cell.county,
                "lon": lon,
                "lat": lat,
                "reported_at": hour + timedelta(minutes=float(minutes[k])),
            }
            report["reported_at"] = report["reported_at"].replace(microsecond=0)
            out.append((report, PROFILES[category]))
        return out

    @staticmethod
    def _point(cell: GridCell, rng: np.random.Generator) -> tuple[float, float]:
        """A WGS-84 point inside the grid."""
        minx, miny, maxx, maxy = cell.polygon.bounds
        for _ in range(40):
            xs, ys = rng.uniform(minx, maxx, 8), rng.uniform(miny, maxy, 8)
            inside = shapely.contains_xy(cell.polygon, xs, ys)
            if inside.any():
                i = int(np.argmax(inside))
                x, y = xs[i], ys[i]
                break
        else:
            x, y = cell.centroid
        lon, lat = gcj02_to_wgs84_array([x], [y])
        return round(float(lon[0]), 6), round(float(lat[0]), 6)

    def _members(self, slot: datetime) -> list[dict[str, Any]]:
        """Every member's status and position in one 10-minute slot (kept for the slot)."""
        if self._member_slot != slot:
            self._member_rows = self._members_at(slot)
            self._member_slot = slot
        return self._member_rows

    def _members_at(self, slot: datetime) -> list[dict[str, Any]]:
        out = []
        day = 8 <= slot.hour < 20
        for gi, cell in enumerate(self._cells):
            rng_n = np.random.default_rng([self.seed, 86, gi])
            n = max(1, int(rng_n.poisson(self.members_per_grid)))
            for m in range(n):
                rng = np.random.default_rng([self.seed, 87, gi, m, int((slot - EPOCH) / SLOT)])
                online = rng.random() < (0.9 if day else 0.25)
                lon, lat = self._point(cell, rng)
                out.append({
                    "member_id": f"M{cell.grid_code}{m + 1:02d}", "grid_code": cell.grid_code,
                    "status": "在线" if online else "离线", "lon": lon, "lat": lat, "ts": slot,
                })  # fmt: skip
        return out

    # SimulatedDomain ---------------------------------------------------------------
    def reference(self, geo: Geo) -> list[Batch]:
        """The generated grids (WGS-84 records)."""
        return [("grid_cells", [c.record() for c in self.cells(geo)])]

    def history(self, geo: Geo, start: datetime, end: datetime) -> Iterator[Batch]:
        """Events and their workflow in [start, end), then the members' last slot."""
        self.cells(geo)
        yield from self._flow.history(start, end)
        last = to_local_naive(end) - SLOT
        yield ("grid_members", self._members(last - timedelta(minutes=last.minute % 10, seconds=last.second, microseconds=last.microsecond)))  # fmt: skip

    def live(self, geo: Geo, now: datetime) -> list[Batch]:
        """Events that moved since the last call and the members' running slot."""
        self.cells(geo)
        now = to_local_naive(now)
        slot = now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0)
        return [*self._flow.live(now), ("grid_members", self._members(slot))]


def from_options(seed: int, options: Any) -> GridGovernanceSim:
    """Build the simulator sized by the grid_governance scene's options."""
    return GridGovernanceSim(
        seed,
        grids=options.sim_grids,
        members_per_grid=options.sim_members_per_grid,
        events_per_day=options.sim_events_per_day,
    )
