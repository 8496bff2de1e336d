"""Seeded demo feed for 城市管理 (数字城管): the part inventory and cases about parts and events.

Parts get 16-digit ids from the configured class codes (county 6 + major 2 + minor 2 + serial
6). Cases cluster in the built-up areas around the county seats, as 数字城管 coverage does;
about 40 % concern a part, the rest an event, and each runs through the case workflow
(`case_flow`) with the handling time limit of its class.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from data_sources.datasets.cases import EVENT_CLASSES
from data_sources.simulator.base import Batch
from data_sources.simulator.case_flow import EPOCH, HOUR, CaseFlow, Profile, Shares
from data_sources.simulator.grids import COUNTY_WEIGHT, SEATS
from indicators.coords import gcj02_to_wgs84_array, wgs84_to_gcj02
from scenes.base import Geo

HOURLY_SHAPE = (0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 1.0, 2.2, 3.0, 3.2, 3.1, 2.8, 1.9, 1.7, 2.6, 2.9, 2.8, 2.4, 1.6, 1.2, 0.9, 0.7, 0.5, 0.3)  # fmt: skip
PART_MIX = {"公用设施": 0.45, "道路交通": 0.2, "市容环境": 0.15, "园林绿化": 0.12, "房屋土地": 0.03, "其他设施": 0.05}  # fmt: skip
PART_STATUS = (("完好", 0.93), ("损坏", 0.04), ("丢失", 0.01), ("占用", 0.02))
PART_SHARE = 0.4  # of cases
EVENT_MIX = (0.34, 0.14, 0.12, 0.05, 0.3, 0.05)  # EVENT_CLASSES order
EVENT_SUBS = {
    "市容环境": ("暴露垃圾", "积存垃圾渣土", "道路不洁", "乱堆物堆料"),
    "宣传广告": ("违规户外广告", "非法小广告", "占道广告牌"),
    "施工管理": ("施工扰民", "工地扬尘", "道路遗撒", "无证掘路"),
    "突发事件": ("路面塌陷", "自来水管爆裂", "燃气管道破裂", "道路积水"),
    "街面秩序": ("店外经营", "占道经营", "流动摊贩", "乱停放非机动车"),
    "其他事件": ("其他",),
}
EVENT_PROFILES = {
    "市容环境": Profile(24, ("环卫处", "城管执法支队")),
    "宣传广告": Profile(48, ("城管执法支队",)),
    "施工管理": Profile(48, ("住建局", "城管执法支队")),
    "突发事件": Profile(4, ("市政公用事业服务中心", "应急管理局")),
    "街面秩序": Profile(8, ("城管执法支队", "交警支队")),
    "其他事件": Profile(48, ("城管局",)),
}
PART_PROFILES = {
    "公用设施": Profile(24, ("自来水公司", "排水管理处", "供电公司", "燃气公司", "路灯管理处")),
    "道路交通": Profile(48, ("交通运输局", "交警支队")),
    "市容环境": Profile(48, ("环卫处",)),
    "园林绿化": Profile(72, ("园林绿化服务中心",)),
    "房屋土地": Profile(120, ("住建局", "自然资源局")),
    "其他设施": Profile(72, ("城管局",)),
}


class CityManagementSim:
    """Deterministic parts and 城管 cases for the counties in `geo`."""

    name = "city_management"

    def __init__(
        self,
        seed: int,
        part_classes: dict[str, Any],
        *,
        parts: int = 6000,
        cases_per_day: int = 600,
    ) -> None:
        if parts <= 0 or cases_per_day <= 0 or not part_classes:
            raise ValueError(f"parts and cases_per_day must be > 0 and part_classes non-empty (got {parts}, {cases_per_day})")  # fmt: skip
        self.seed, self.n_parts, self.cases_per_day = seed, parts, cases_per_day
        self.part_classes = part_classes
        self._geo_key: int | None = None
        self._parts: list[dict[str, Any]] = []
        self._counties: list[str] = []
        self._polys: dict[str, Any] = {}
        self._geo: Geo | None = None
        self._names: dict[str, str] = {}
        self._flow = CaseFlow(seed, 93, self._reports, Shares(rework=0.06, extended=0.04))

    def _prepare(self, geo: Geo) -> None:
        if self._geo_key == id(geo):
            return
        self._polys = {f["properties"]["adcode"]: shape(f["geometry"]).buffer(-0.005) for f in geo.counties["features"]}  # fmt: skip
        self._counties = sorted(self._polys)
        self._parts = self._make_parts(geo)
        self._geo_key = id(geo)

    def _county_weights(self) -> np.ndarray:
        w = np.array([COUNTY_WEIGHT.get(c, 1.0) for c in self._counties])
        return w / w.sum()

    def _urban_point(self, rng: np.random.Generator, county: str, geo: Geo) -> tuple[float, float]:
        """A WGS-84 point near the county seat, inside the county."""
        poly = self._polys[county]
        seat = wgs84_to_gcj02(*SEATS[county]) if county in SEATS else geo.label_points[county]
        sigma = 0.035 if county == "371502" else 0.02
        for _ in range(40):
            xs, ys = seat[0] + rng.normal(0, sigma, 8), seat[1] + rng.normal(0, sigma * 0.8, 8)
            inside = shapely.contains_xy(poly, xs, ys)
            if inside.any():
                i = int(np.argmax(inside))
                x, y = xs[i], ys[i]
                break
        else:
            x, y = poly.representative_point().coords[0]
        lon, lat = gcj02_to_wgs84_array([x], [y])
        return round(float(lon[0]), 6), round(float(lat[0]), 6)

    def _make_parts(self, geo: Geo) -> list[dict[str, Any]]:
        rng = np.random.default_rng([self.seed, 94])
        classes = [c for c in PART_MIX if c in self.part_classes]
        mix = np.array([PART_MIX[c] for c in classes])
        counties = rng.choice(len(self._counties), size=self.n_parts, p=self._county_weights())
        majors = rng.choice(len(classes), size=self.n_parts, p=mix / mix.sum())
        statuses = rng.choice(len(PART_STATUS), size=self.n_parts, p=[p for _, p in PART_STATUS])
        serial: dict[str, int] = {}
        out = []
        for i in range(self.n_parts):
            county, major = self._counties[int(counties[i])], classes[int(majors[i])]
            pc = self.part_classes[major]
            minors = list(pc.minors.items())
            minor_name, minor_code = minors[int(rng.integers(0, len(minors)))]
            prefix = f"{county}{pc.code}{minor_code}"
            serial[prefix] = serial.get(prefix, 0) + 1
            lon, lat = self._urban_point(rng, county, geo)
            out.append({
                "part_id": f"{prefix}{serial[prefix]:06d}", "county": county, "minor_name": minor_name,
                "status": PART_STATUS[int(statuses[i])][0], "lon": lon, "lat": lat,
            })  # fmt: skip
        return out

    def _reports(self, h: int) -> list[tuple[dict[str, Any], Profile]]:
        if not self._parts:
            return []
        hour = EPOCH + h * HOUR
        rng = np.random.default_rng([self.seed, 95, h])
        weekend = 0.75 if hour.weekday() >= 5 else 1.0
        n = int(rng.poisson(self.cases_per_day * weekend * HOURLY_SHAPE[hour.hour] / sum(HOURLY_SHAPE)))  # fmt: skip
        minutes = np.sort(rng.uniform(0, 60, n))
        out = []
        for k in range(n):
            at = (hour + timedelta(minutes=float(minutes[k]))).replace(microsecond=0)
            base = {"case_id": f"CG{hour:%Y%m%d%H}{k:03d}", "source": "城管", "reported_at": at}
            if rng.random() < PART_SHARE:
                part = self._parts[int(rng.integers(0, len(self._parts)))]
                major = next(n for n, c in self.part_classes.items() if c.code == part["part_id"][6:8])  # fmt: skip
                report = {**base, "kind": "部件", "category": major, "subcategory": part["minor_name"],
                          "part_id": part["part_id"], "county": part["county"], "lon": part["lon"], "lat": part["lat"]}  # fmt: skip
                profile = PART_PROFILES.get(major, PART_PROFILES["其他设施"])
            else:
                cls = EVENT_CLASSES[int(rng.choice(len(EVENT_CLASSES), p=EVENT_MIX))]
                subs = EVENT_SUBS[cls]
                county = self._counties[int(rng.choice(len(self._counties), p=self._county_weights()))]  # fmt: skip
                lon, lat = self._urban_point(rng, county, self._geo)
                report = {**base, "kind": "事件", "category": cls, "subcategory": subs[int(rng.integers(0, len(subs)))],
                          "county": county, "lon": lon, "lat": lat}  # fmt: skip
                profile = EVENT_PROFILES[cls]
            if report["county"] != "371502":  # county cases go to the county's own bureau
                profile = Profile(profile.limit_h, (f"{self._names.get(report['county'], report['county'])}城管局",))  # fmt: skip
            out.append((report, profile))
        return out

    # SimulatedDomain ---------------------------------------------------------------
    def _use(self, geo: Geo) -> None:
        self._geo, self._names = geo, dict(geo.names)
        self._prepare(geo)

    def reference(self, geo: Geo) -> list[Batch]:
        """The part inventory."""
        self._use(geo)
        return [("city_parts", self._parts)]

    def history(self, geo: Geo, start: datetime, end: datetime) -> Iterator[Batch]:
        """Cases reported in [start, end) and their workflow steps before `end`."""
        self._use(geo)
        yield from self._flow.history(start, end)

    def live(self, geo: Geo, now: datetime) -> list[Batch]:
        """Cases that moved since the last call."""
        self._use(geo)
        return self._flow.live(now)


def from_options(seed: int, options: Any) -> CityManagementSim:
    """Build the simulator sized by the city_management scene's options."""
    return CityManagementSim(
        seed,
        dict(options.part_classes),
        parts=options.sim_parts,
        cases_per_day=options.sim_cases_per_day,
    )
