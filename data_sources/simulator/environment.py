"""Seeded demo feed for 生态环境: air stations (hourly) and surface-water sections (4-hourly).

Every value is a pure function of (seed, station, hour), so `history` and `live` agree and
two processes with the same seed produce the same wall.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from data_sources.datasets.base import to_local_naive
from data_sources.simulator.base import Batch
from indicators.coords import gcj02_to_wgs84
from indicators.water import WATER_LIMITS
from scenes.base import Geo

EPOCH = datetime(2000, 1, 1)
HOUR = timedelta(hours=1)
WATER_STEP_H = 4
# Allocation order: two rounds over every county, then extra stations for the urban district
# and the larger county-level units.
COUNTY_PRIORITY = ("371502", "371581", "371503", "371521", "371522", "371524", "371525", "371526")
# fmt: off
EXTRA_PRIORITY = ("371502", "371502", "371581", "371503", "371522", "371525", "371521", "371526", "371524")
STATION_NAMES: dict[str, tuple[str, ...]] = {
    "371502": ("古楼", "聊城大学", "市监测站", "开发区", "湖西", "柳园", "新区", "道口铺", "闫寺"),
    "371503": ("振兴", "信发", "博平", "杜郎口", "韩屯", "温陈"),
    "371521": ("狮子楼", "博济桥", "阿城", "七级", "张秋", "安乐"),
    "371522": ("燕塔", "莘亭", "朝城", "张鲁", "古城", "观城"),
    "371524": ("铜城", "新城", "刘集", "鱼山", "姜楼", "牛角店"),
    "371525": ("清泉", "崇文", "东古城", "烟庄", "店子", "柳林"),
    "371526": ("鱼邱湖", "汇鑫", "梁村", "琉璃寺", "清平", "尹集"),
    "371581": ("监测站", "青年", "先锋", "大辛庄", "烟店", "康庄"),
}
# West-side counties sit downwind of the Hebei/Henan border belt; 东阿/高唐 are cleaner.
COUNTY_FACTOR = {
    "371502": 1.0, "371503": 1.04, "371521": 1.02, "371522": 1.12,
    "371524": 0.92, "371525": 1.1, "371526": 0.95, "371581": 1.06,
}
# fmt: on


@dataclass(frozen=True)
class SectionSpec:
    """A water section: its river, county, GB 3838 target and how stressed it tends to be."""

    section_id: str
    name: str
    river: str
    county: str
    target: int
    stress: float


SECTIONS = (
    SectionSpec("WQ01", "毕屯", "徒骇河", "371502", 4, 0.82),
    SectionSpec("WQ02", "夏口", "徒骇河", "371526", 5, 0.84),
    SectionSpec("WQ03", "沙镇", "马颊河", "371502", 4, 0.86),
    SectionSpec("WQ04", "王堤", "马颊河", "371525", 4, 0.96),
    SectionSpec("WQ05", "临清", "卫运河", "371581", 4, 0.78),
    SectionSpec("WQ06", "尖庄", "卫运河", "371581", 4, 0.88),
    SectionSpec("WQ07", "张秋", "金堤河", "371521", 4, 0.92),
    SectionSpec("WQ08", "周店", "小运河", "371502", 3, 0.7),
    SectionSpec("WQ09", "陶城铺", "黄河", "371521", 3, 0.6),
    SectionSpec("WQ10", "艾山", "黄河", "371524", 3, 0.62),
)
# fmt: off
# fmt: on
POLLUTANTS = ("so2", "no2", "co", "o3", "pm10", "pm25")


def _rng(*key: int) -> np.random.Generator:
    """A generator keyed by non-negative ints (SeedSequence rejects negatives)."""
    return np.random.default_rng([k % (2**63) for k in key])


def _hour_index(ts: datetime) -> int:
    return int((ts - EPOCH).total_seconds() // 3600)


def _floor_hour(ts: datetime) -> datetime:
    return ts.replace(minute=0, second=0, microsecond=0)


def _ceil_hour(ts: datetime) -> datetime:
    floor = _floor_hour(ts)
    return floor if floor == ts else floor + HOUR


def _season(ts: datetime, peak_doy: float) -> float:
    """1 at the peak day of year, 0 half a year away."""
    return 0.5 + 0.5 * math.cos(2 * math.pi * (ts.timetuple().tm_yday - peak_doy) / 365.25)


@dataclass(frozen=True)
class _Slot:
    index: int
    station_id: str
    county: str
    name: str
    factor: float  # how polluted this station runs relative to the region
    pm_ratio: float  # PM10 / PM2.5


class EnvironmentSim:
    """Deterministic air and water readings for the counties in `geo` (SimulatedDomain)."""

    name = "environment"

    def __init__(self, seed: int, stations: int = 20) -> None:
        if stations <= 0:
            raise ValueError(f"stations must be > 0 (got {stations})")
        self.seed = seed
        self.stations = stations

    # layout -------------------------------------------------------------------
    def slots(self, geo: Geo) -> list[_Slot]:
        """Which county each station belongs to, with its id and display name."""
        codes = [c for c in COUNTY_PRIORITY if c in geo.names] + sorted(
            c for c in geo.names if c not in COUNTY_PRIORITY
        )
        extra = [c for c in EXTRA_PRIORITY if c in geo.names] or codes
        order = [*codes, *codes]
        while len(order) < self.stations:
            order += extra
        counts: dict[str, int] = {}
        out = []
        for i, county in enumerate(order[: self.stations]):
            k = counts.get(county, 0)
            counts[county] = k + 1
            names = STATION_NAMES.get(county, ())
            base = names[k] if k < len(names) else f"{k + 1}号站"
            z = _rng(self.seed, 11, i).standard_normal(size=2)
            factor = COUNTY_FACTOR.get(county, 1.0) * math.exp(0.08 * z[0])
            sid, name = f"AQ{county}{k + 1:02d}", f"{geo.names[county]}·{base}"
            out.append(_Slot(i, sid, county, name, factor, 1.5 + 0.2 * abs(z[1])))
        return out

    def _polygon(self, geo: Geo, county: str) -> BaseGeometry:
        feature = next(f for f in geo.counties["features"] if f["properties"]["adcode"] == county)
        poly = shape(feature["geometry"])
        inner = poly.buffer(-0.02)  # keep points ~2 km inside the (simplified) boundary
        return poly if inner.is_empty else inner

    def _points(self, geo: Geo, county: str, count: int, stream: int) -> list[tuple[float, float]]:
        """Spread `count` GCJ-02 points inside a county polygon, reproducibly."""
        poly = self._polygon(geo, county)
        rng = _rng(self.seed, stream, int(county))
        minx, miny, maxx, maxy = poly.bounds
        points: list[Point] = []
        for attempt in range(20000):
            p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            crowded = attempt < 5000 and any(p.distance(q) < 0.05 for q in points)
            if poly.contains(p) and not crowded:
                points.append(p)
                if len(points) == count:
                    break
        return [(p.x, p.y) for p in points]

    @staticmethod
    def _gps(x: float, y: float) -> dict[str, float]:
        """Store a GCJ-02 map point as the WGS-84 a GPS survey would have recorded."""
        lon, lat = gcj02_to_wgs84(x, y)
        return {"lon": round(lon, 6), "lat": round(lat, 6)}

    def reference(self, geo: Geo) -> list[Batch]:
        """Stations and sections; coordinates are stored as WGS-84 (GPS-surveyed)."""
        slots = self.slots(geo)
        stations = []
        for county in dict.fromkeys(s.county for s in slots):
            mine = [s for s in slots if s.county == county]
            for slot, xy in zip(mine, self._points(geo, county, len(mine), 1), strict=False):
                stations.append({"station_id": slot.station_id, "name": slot.name, "county": county, **self._gps(*xy)})  # fmt: skip
        sections = []
        for i, spec in enumerate(s for s in SECTIONS if s.county in geo.names):
            name = f"{spec.river}·{spec.name}"
            site = self._gps(*self._points(geo, spec.county, 1, 100 + i)[0])
            sections.append({"section_id": spec.section_id, "name": name, "river": spec.river, "county": spec.county, "target_class": spec.target, **site})  # fmt: skip
        return [("air_stations", stations), ("water_sections", sections)]

    # air ----------------------------------------------------------------------
    def _noise(self, stream: int, t_days: float, sigma: float) -> float:
        """Smooth value noise: one normal knot per day, cosine-interpolated."""
        d0 = math.floor(t_days)
        w = (1 - math.cos(math.pi * (t_days - d0))) / 2
        v0, v1 = (float(_rng(self.seed, stream, d + 10**6).normal()) for d in (d0, d0 + 1))
        return sigma * (v0 * (1 - w) + v1 * w)

    def _episode(self, ts: datetime, t_days: float) -> float:
        """Multi-day pollution episodes, likelier in winter: a multiplier >= 1."""
        block = math.floor(t_days / 12)
        rng = _rng(self.seed, 7, block + 10**6)
        chance, start, length, peak = rng.random(), rng.uniform(0, 8), rng.uniform(2, 4), rng.uniform(1.4, 2.1)  # fmt: skip
        if chance > 0.1 + 0.45 * _season(ts, 10):
            return 1.0
        x = (t_days - block * 12 - start) / length
        return 1 + (peak - 1) * math.sin(math.pi * x) ** 2 if 0 <= x <= 1 else 1.0

    def _regional(self, ts: datetime) -> dict[str, float]:
        """City-wide drivers for one hour: season, weather, episodes and diurnal cycles."""
        t_days, hod, winter = _hour_index(ts) / 24, ts.hour, _season(ts, 10)

        def cycle(peak_hour: float, per_day: int = 1) -> float:
            return math.cos(2 * math.pi * per_day * (hod - peak_hour) / 24)

        weather = math.exp(self._noise(2, t_days, 0.3)) * self._episode(ts, t_days)
        return {
            "winter": winter,
            "pm": (22 + 46 * winter) * weather * (1 + 0.15 * cycle(23) + 0.07 * cycle(9, 2)),
            "no2": 1 + 0.2 * cycle(8, 2) + 0.1 * cycle(21),
            "o3": (65 + 140 * _season(ts, 170))
            * math.exp(self._noise(3, t_days, 0.2))
            * (0.25 + 0.75 * max(0.0, cycle(15)) ** 1.5),
        }

    def _air_hour(
        self, slots: list[_Slot], ts: datetime, drift: float = 0.0, now_s: float = 0.0
    ) -> list[dict[str, Any]]:
        """One hour of readings for every station; `drift` wobbles the running hour's values."""
        h = _hour_index(ts)
        reg = self._regional(ts)
        winter = reg["winter"]
        z = _rng(self.seed, 4, h + 10**6).standard_normal(size=(len(slots), 8))
        out = []
        for slot in slots:
            factor = slot.factor
            row = z[slot.index]
            wobble = 1 + drift * math.sin(2 * math.pi * now_s / 90 + slot.index)
            pm25 = min(600.0, reg["pm"] * factor * math.exp(0.1 * row[0]) * wobble)
            values = {
                "pm25": round(pm25),
                "pm10": round(pm25 * slot.pm_ratio * math.exp(0.08 * row[1])),
                "so2": round((9 + 9 * winter) * factor * math.exp(0.15 * row[2]) * wobble),
                "no2": round(
                    (22 + 16 * winter) * reg["no2"] * factor * math.exp(0.12 * row[3]) * wobble
                ),
                "co": round((0.35 + 0.011 * pm25) * math.exp(0.08 * row[4]), 1),
                "o3": round(reg["o3"] * (2 - factor) * math.exp(0.1 * row[5]) * wobble),
            }
            if row[6] > 2.75:  # ~0.3 % of station-hours lose one pollutant, as real feeds do
                values[POLLUTANTS[int(abs(row[7]) * 10) % 6]] = None
            out.append({"station_id": slot.station_id, "ts": ts, **values})
        return out

    # water --------------------------------------------------------------------
    def _water_sample(self, geo: Geo, ts: datetime) -> list[dict[str, Any]]:
        slot = _hour_index(ts) // WATER_STEP_H
        t_days = _hour_index(ts) / 24
        summer = _season(ts, 200)
        specs = [s for s in SECTIONS if s.county in geo.names]
        z = _rng(self.seed, 5, slot + 10**6).standard_normal(size=(len(SECTIONS), 4))
        out = []
        for i, spec in enumerate(SECTIONS):
            if spec not in specs:
                continue
            s = spec.stress * math.exp(self._noise(20 + i, t_days, 0.12))
            lim = {k: float(v[spec.target - 1]) for k, v in WATER_LIMITS.items()}
            out.append(
                {
                    "section_id": spec.section_id,
                    "ts": ts,
                    "do": round(
                        (9.5 - 3 * summer) * (1.15 - 0.25 * s) * math.exp(0.05 * z[i, 0]), 2
                    ),
                    "codmn": round(lim["codmn"] * s * 0.9 * math.exp(0.08 * z[i, 1]), 2),
                    "nh3n": round(lim["nh3n"] * s * 0.8 * math.exp(0.15 * z[i, 2]), 3),
                    "tp": round(lim["tp"] * s * 0.85 * math.exp(0.12 * z[i, 3]), 3),
                }
            )
        return out

    # SimulatedDomain ----------------------------------------------------------
    def history(self, geo: Geo, start: datetime, end: datetime) -> Iterator[Batch]:
        """Readings with ts in [start, end), one local day per pair of batches."""
        start, end = to_local_naive(start), to_local_naive(end)
        slots = self.slots(geo)
        ts = _ceil_hour(start)
        while ts < end:
            day_end = min(end, datetime.combine(ts.date() + timedelta(days=1), datetime.min.time()))
            air: list[dict[str, Any]] = []
            water: list[dict[str, Any]] = []
            while ts < day_end:
                air += self._air_hour(slots, ts)
                if ts.hour % WATER_STEP_H == 0:
                    water += self._water_sample(geo, ts)
                ts += HOUR
            if air:
                yield ("air_hourly", air)
            if water:
                yield ("water_quality", water)

    def live(self, geo: Geo, now: datetime) -> list[Batch]:
        """The last full hour plus the running hour, whose values drift within the hour."""
        now = to_local_naive(now)
        slots = self.slots(geo)
        current = _floor_hour(now)
        now_s = (now - current).total_seconds()
        # The wobble fades in and out over the first/last 3 minutes, so the hour ends on its value.
        envelope = min(1.0, now_s / 180, (3600 - now_s) / 180)
        air = self._air_hour(slots, current - HOUR) + self._air_hour(
            slots, current, 0.05 * envelope, now_s
        )
        slot_ts = current - timedelta(hours=current.hour % WATER_STEP_H)
        return [("air_hourly", air), ("water_quality", self._water_sample(geo, slot_ts))]


def from_options(seed: int, options: Any) -> EnvironmentSim:
    """Build the simulator sized by the environment scene's options."""
    return EnvironmentSim(seed, stations=options.stations)
