"""Seeded demo feed for 公共安全: 110 alarms, key-area crowds, camera status and case counts.

Every record is a pure function of (seed, hour or slot), so `history` and `live` agree and two
processes with the same seed produce the same wall. Alarms carry category, time and place only.
Volumes are illustrative (≈ `alarms_per_day` city-wide with a day/night rhythm), not real data.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from data_sources.datasets.base import to_local_naive
from data_sources.datasets.public_safety import ALARM_CATEGORIES, CASE_CATEGORIES
from data_sources.simulator.base import Batch
from indicators.coords import gcj02_to_wgs84_array, wgs84_to_gcj02
from scenes.base import Geo

EPOCH = datetime(2000, 1, 1)
HOUR = timedelta(hours=1)
SLOT = timedelta(minutes=10)  # crowds and cameras report every 10 minutes


@dataclass(frozen=True)
class AreaSpec:
    """A key area: WGS-84 place (approximate, for the demo), rated capacity and peak load."""

    area_id: str
    name: str
    kind: str
    county: str
    lon: float
    lat: float
    capacity: int
    peak: float  # share of capacity at the busiest time of a weekday


# fmt: off
AREAS = (
    AreaSpec("KA01", "光岳楼", "景区", "371502", 115.9883, 36.4517, 2500, 0.78),
    AreaSpec("KA02", "古城区", "景区", "371502", 115.9945, 36.4458, 15000, 0.7),
    AreaSpec("KA03", "东昌湖", "景区", "371502", 115.9780, 36.4400, 20000, 0.62),
    AreaSpec("KA04", "聊城站", "车站", "371502", 115.9440, 36.4470, 6000, 0.88),
    AreaSpec("KA05", "聊城汽车总站", "车站", "371502", 115.9960, 36.4660, 3000, 0.74),
    AreaSpec("KA06", "水城明珠广场", "广场", "371502", 115.9930, 36.4330, 8000, 0.9),
    AreaSpec("KA07", "万达商圈", "商圈", "371502", 116.0270, 36.4700, 12000, 0.76),
    AreaSpec("KA08", "临清运河钞关", "景区", "371581", 115.7100, 36.8420, 3000, 0.66),
    AreaSpec("KA09", "景阳冈", "景区", "371521", 115.8560, 36.1560, 5000, 0.6),
    AreaSpec("KA10", "阿胶城", "景区", "371524", 116.2430, 36.3360, 4000, 0.58),
    AreaSpec("KA11", "高唐鱼丘湖", "景区", "371526", 116.2270, 36.8620, 6000, 0.55),
    AreaSpec("KA12", "莘县汽车站", "车站", "371522", 115.6690, 36.2370, 2000, 0.7),
)
# Load shape by hour (0-23) per kind, 1 = the kind's peak.
KIND_PROFILE = {
    "车站": (.12, .08, .06, .06, .08, .2, .5, .85, 1, .8, .62, .6, .62, .6, .62, .7, .85, 1, .9, .7, .55, .42, .3, .18),
    "景区": (.05, .03, .02, .02, .02, .04, .1, .2, .38, .62, .82, .9, .92, .95, 1, .96, .88, .72, .6, .55, .5, .38, .2, .1),
    "广场": (.05, .03, .02, .02, .03, .08, .2, .32, .3, .28, .3, .34, .36, .34, .36, .4, .5, .62, .82, .98, 1, .8, .45, .15),
    "商圈": (.06, .03, .02, .02, .02, .03, .06, .12, .2, .32, .5, .66, .72, .66, .62, .64, .7, .82, .95, 1, .92, .7, .4, .15),
}
# Alarms by hour of day (relative): quiet before dawn, busy late morning and evening.
HOURLY_SHAPE = (2.6, 1.9, 1.4, 1.1, 1.0, 1.2, 1.9, 3.0, 4.2, 4.8, 5.0, 5.1, 4.6, 4.3, 4.6, 4.8, 5.0, 5.3, 5.6, 5.8, 5.6, 5.0, 4.1, 3.3)
# Share of each ALARM_CATEGORIES entry (刑事 治安 交通 纠纷 求助 火灾 其他).
CATEGORY_MIX = (0.08, 0.17, 0.26, 0.2, 0.19, 0.03, 0.07)
# Relative alarm volume by county (roughly by resident population; illustrative).
COUNTY_WEIGHT = {"371502": 1.8, "371503": 0.75, "371521": 1.0, "371522": 1.25, "371524": 0.55, "371525": 1.0, "371526": 0.7, "371581": 1.05}
# County seats (WGS-84, approximate): alarms cluster around them.
SEATS = {"371502": (115.985, 36.457), "371503": (116.255, 36.580), "371521": (115.791, 36.114), "371522": (115.671, 36.234), "371524": (116.248, 36.335), "371525": (115.442, 36.484), "371526": (116.231, 36.866), "371581": (115.705, 36.838)}
CAMERAS = {"371502": 3200, "371503": 1100, "371521": 1350, "371522": 1500, "371524": 800, "371525": 1300, "371526": 950, "371581": 1400}
# Per CASE_CATEGORIES entry: (share of registered cases, chance a case is solved).
CASE_MIX = ((0.45, 0.55), (0.28, 0.42), (0.04, 0.9), (0.11, 0.93), (0.12, 0.72))
# fmt: on


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng([k % (2**63) for k in key])


def _hour_index(ts: datetime) -> int:
    return int((ts - EPOCH).total_seconds() // 3600)


def _floor(ts: datetime, step: timedelta) -> datetime:
    return EPOCH + step * ((ts - EPOCH) // step)


def _day_index(day: date) -> int:
    return (day - EPOCH.date()).days


class PublicSafetySim:
    """Deterministic public-safety records for the counties in `geo` (SimulatedDomain)."""

    name = "public_safety"

    def __init__(self, seed: int, alarms_per_day: int = 320) -> None:
        if alarms_per_day <= 0:
            raise ValueError(f"alarms_per_day must be > 0 (got {alarms_per_day})")
        self.seed = seed
        self.alarms_per_day = alarms_per_day

    # places -------------------------------------------------------------------
    def _counties(self, geo: Geo) -> dict[str, Any]:
        """Prepared county polygons (GCJ-02), shrunk ~1 km so points stay well inside."""
        out = {}
        for f in geo.counties["features"]:
            poly = shape(f["geometry"])
            inner = poly.buffer(-0.01)
            out[f["properties"]["adcode"]] = poly if inner.is_empty else inner
        return out

    def _seat(self, geo: Geo, county: str) -> tuple[float, float]:
        """The county seat in GCJ-02 (the label point for counties we have no seat for)."""
        if county in SEATS:
            return wgs84_to_gcj02(*SEATS[county])
        return geo.label_points[county]

    def _place(
        self, rng: np.random.Generator, poly: Any, centre: tuple[float, float], sigma: float | None
    ) -> tuple[float, float]:
        """A GCJ-02 point inside `poly`: Gaussian around `centre`, or uniform when sigma is None."""
        minx, miny, maxx, maxy = poly.bounds
        for _ in range(50):
            if sigma is None:
                xs, ys = rng.uniform(minx, maxx, 16), rng.uniform(miny, maxy, 16)
            else:
                xs = centre[0] + rng.normal(0, sigma, 16)
                ys = centre[1] + rng.normal(0, sigma * 0.8, 16)
            inside = shapely.contains_xy(poly, xs, ys)
            if inside.any():
                i = int(np.argmax(inside))
                return float(xs[i]), float(ys[i])
        return poly.representative_point().coords[0]

    @staticmethod
    def _wgs(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        """Store GCJ-02 map points as the WGS-84 a GPS fix would report."""
        if not points:
            return []
        lon, lat = gcj02_to_wgs84_array([p[0] for p in points], [p[1] for p in points])
        return [(round(float(x), 6), round(float(y), 6)) for x, y in zip(lon, lat, strict=True)]

    # alarms -------------------------------------------------------------------
    def _day_factor(self, day: date) -> float:
        weekend = 1.08 if day.weekday() >= 5 else 1.0
        return weekend * math.exp(0.08 * float(_rng(self.seed, 30, _day_index(day)).normal()))

    def _incident(self, day: date, codes: list[str]) -> tuple[int, str, int, str] | None:
        """Some days have one cluster (a pile-up, a brawl): (hour, county, extra alarms, category)."""
        rng = _rng(self.seed, 37, _day_index(day))
        if rng.random() > 0.55:
            return None
        hour, county = int(rng.integers(8, 22)), codes[int(rng.integers(0, len(codes)))]
        return (
            hour,
            county,
            int(rng.integers(14, 26)),
            ("交通", "治安", "纠纷")[int(rng.integers(0, 3))],
        )

    def _alarm_hour(self, geo: Geo, polys: dict[str, Any], ts: datetime) -> list[dict[str, Any]]:
        """Every alarm of one local hour, in time order."""
        codes = [c for c in COUNTY_WEIGHT if c in polys] or sorted(polys)
        weights = np.array([COUNTY_WEIGHT.get(c, 1.0) for c in codes])
        rng = _rng(self.seed, 31, _hour_index(ts))
        expected = self.alarms_per_day * HOURLY_SHAPE[ts.hour] / sum(HOURLY_SHAPE)
        n = int(rng.poisson(expected * self._day_factor(ts.date())))
        cats = rng.choice(len(ALARM_CATEGORIES), size=n, p=CATEGORY_MIX)
        counties = rng.choice(len(codes), size=n, p=weights / weights.sum())
        plan = [(codes[c], ALARM_CATEGORIES[k], None) for c, k in zip(counties, cats, strict=True)]
        incident = self._incident(ts.date(), codes)
        if incident and incident[0] == ts.hour:
            plan += [(incident[1], incident[3], 0.012)] * incident[2]
        points, rows = [], []
        for i, (county, category, sigma) in enumerate(plan):
            seat = self._seat(geo, county)
            if sigma is None:  # most alarms near the seat, a quarter anywhere in the county
                sigma = 0.035 if rng.random() < 0.75 else None
            points.append(self._place(rng, polys[county], seat, sigma))
            second = int(rng.integers(0, 3600))
            rows.append((ts + timedelta(seconds=second), county, category, i))
        out = []
        for (at, county, category, i), (lon, lat) in zip(rows, self._wgs(points), strict=True):
            out.append({"alarm_id": f"JQ{ts:%Y%m%d%H}{i:03d}", "category": category, "ts": at, "lon": lon, "lat": lat, "county": county})  # fmt: skip
        return sorted(out, key=lambda r: (r["ts"], r["alarm_id"]))

    # crowds and cameras -------------------------------------------------------------
    def _crowds(self, ts: datetime, now_s: float = 0.0, drift: float = 0.0) -> list[dict]:
        """Every key area's count at slot `ts`; `drift` wobbles the running slot."""
        hour = ts.hour + ts.minute / 60
        z = _rng(self.seed, 41, _day_index(ts.date())).normal(size=len(AREAS))
        noise = _rng(self.seed, 42, int((ts - EPOCH) // SLOT)).normal(size=len(AREAS))
        out = []
        for i, a in enumerate(AREAS):
            prof = KIND_PROFILE[a.kind]
            lo, hi = int(hour) % 24, (int(hour) + 1) % 24
            shape_v = prof[lo] + (prof[hi] - prof[lo]) * (hour - int(hour))
            weekend = 1.15 if ts.weekday() >= 5 and a.kind in ("景区", "商圈", "广场") else 1.0
            wobble = 1 + drift * math.sin(2 * math.pi * now_s / 60 + i)
            level = a.peak * shape_v * weekend * math.exp(0.08 * z[i] + 0.03 * noise[i]) * wobble
            out.append({"area_id": a.area_id, "ts": ts, "count": max(0, round(a.capacity * level))})
        return out

    def _cameras(self, ts: datetime, geo: Geo, now_s: float = 0.0, drift: int = 0) -> list[dict]:
        """Each county's registered and online cameras at slot `ts` (outages now and then)."""
        day = _rng(self.seed, 51, _day_index(ts.date()))
        outage_county, outage_from = int(day.integers(0, 8)), int(day.integers(0, 30))
        out = []
        for i, (county, total) in enumerate(CAMERAS.items()):
            if county not in geo.names:
                continue
            z = _rng(self.seed, 52, int((ts - EPOCH) // SLOT), i).normal()
            rate = 0.972 + 0.008 * z
            if i == outage_county and outage_from <= ts.hour < outage_from + 3:
                rate -= 0.1  # a link or power cut takes a tenth of the county offline
            wobble = round(drift * math.sin(2 * math.pi * now_s / 45 + i))
            online = min(total, max(0, round(total * rate) + wobble))
            out.append({"county": county, "ts": ts, "total": total, "online": online})
        return out

    # cases ----------------------------------------------------------------------
    def _cases(self, geo: Geo, day: date, upto: datetime | None = None) -> list[dict]:
        """Cases registered on `day` per county and category; a running day counts what has come in."""
        frac = 1.0
        if upto is not None:
            frac = min(1.0, max(0.0, (upto - datetime.combine(day, datetime.min.time())) / timedelta(days=1)))  # fmt: skip
        rng = _rng(self.seed, 61, _day_index(day))
        per_day = self.alarms_per_day * 0.04  # ~half of 刑事 alarms are registered as cases
        total_w = sum(COUNTY_WEIGHT.values())
        out = []
        for county, w in COUNTY_WEIGHT.items():
            for category, (share, solve_p) in zip(CASE_CATEGORIES, CASE_MIX, strict=True):
                full = int(rng.poisson(per_day * share * w / total_w))
                solved_full = int(rng.binomial(full, solve_p))
                registered = math.floor(full * frac)
                if county in geo.names:
                    out.append({"county": county, "date": day, "category": category, "registered": registered, "solved": min(registered, math.floor(solved_full * frac))})  # fmt: skip
        return out

    # SimulatedDomain --------------------------------------------------------------
    def reference(self, geo: Geo) -> list[Batch]:
        """The key areas (WGS-84, as surveyed) of the counties in `geo`."""
        rows = [
            {
                "area_id": a.area_id,
                "name": a.name,
                "kind": a.kind,
                "lon": a.lon,
                "lat": a.lat,
                "county": a.county,
                "capacity": a.capacity,
            }  # fmt: skip
            for a in AREAS
            if a.county in geo.names
        ]
        return [("public_safety_areas", rows)]

    def _area_filter(self, geo: Geo, rows: list[dict]) -> list[dict]:
        known = {a.area_id for a in AREAS if a.county in geo.names}
        return [r for r in rows if r["area_id"] in known]

    def history(self, geo: Geo, start: datetime, end: datetime) -> Iterator[Batch]:
        """Records with ts in [start, end), one local day per group of batches."""
        start, end = to_local_naive(start), to_local_naive(end)
        polys = self._counties(geo)
        day = start.date()
        while datetime.combine(day, datetime.min.time()) < end:
            day_start = datetime.combine(day, datetime.min.time())
            lo, hi = max(start, day_start), min(end, day_start + timedelta(days=1))
            alarms: list[dict] = []
            ts = _floor(lo, HOUR)
            while ts < hi:
                alarms += [r for r in self._alarm_hour(geo, polys, ts) if lo <= r["ts"] < hi]
                ts += HOUR
            crowds: list[dict] = []
            cameras: list[dict] = []
            ts = _floor(lo, SLOT)
            ts = ts if ts >= lo else ts + SLOT
            while ts < hi:
                crowds += self._area_filter(geo, self._crowds(ts))
                cameras += self._cameras(ts, geo)
                ts += SLOT
            for name, rows in (("public_safety_alarms", alarms), ("public_safety_crowds", crowds), ("public_safety_cameras", cameras)):  # fmt: skip
                if rows:
                    yield (name, rows)
            yield ("public_safety_cases", self._cases(geo, day, end if hi == end else None))
            day += timedelta(days=1)

    def live(self, geo: Geo, now: datetime) -> list[Batch]:
        """The previous and running hour's alarms so far, the running slot (drifting), cases."""
        now = to_local_naive(now)
        polys = self._counties(geo)
        hour = _floor(now, HOUR)
        alarms = self._alarm_hour(geo, polys, hour - HOUR) + [
            r for r in self._alarm_hour(geo, polys, hour) if r["ts"] <= now
        ]
        slot = _floor(now, SLOT)
        now_s = (now - slot).total_seconds()
        envelope = min(1.0, now_s / 60, (SLOT.total_seconds() - now_s) / 60)
        crowds = self._area_filter(geo, self._crowds(slot, now_s, 0.04 * envelope))
        cameras = self._cameras(slot, geo, now_s, 3 if envelope > 0 else 0)
        cases = self._cases(geo, now.date() - timedelta(days=1)) + self._cases(geo, now.date(), now)
        batches = [("public_safety_crowds", crowds), ("public_safety_cameras", cameras), ("public_safety_cases", cases)]  # fmt: skip
        return ([("public_safety_alarms", alarms)] if alarms else []) + batches


def from_options(seed: int, options: Any) -> PublicSafetySim:
    """Build the simulator sized by the public_safety scene's options."""
    return PublicSafetySim(seed, alarms_per_day=options.sim_alarms_per_day)
