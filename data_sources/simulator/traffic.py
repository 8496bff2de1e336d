"""Seeded demo feed for 交通运行: segment speeds, incidents and bus/taxi GPS positions.

The network comes from the generated `data/roads/liaocheng_roads.geojson` (see its README).
Every value is a pure function of (seed, segment or vehicle, time), so history and live agree:

- speeds: weekday peaks 7–9 and 17–19 (weekends flatter and later), deeper on central urban
  arterials, smooth noise, day-to-day variation, and local drops around incidents;
- incidents: a few accidents, constructions and closures per day (closures stop the segment);
- vehicles: buses and taxis moving back and forth along roads; positions are sent in WGS-84
  as GPS would report them, latest fix per vehicle.

History is stored per 5 min for the last 48 h and per 15 min before (§7.2.2.1 allows TTI
intervals up to 15 min), and starts at local midnight of the first day, so "same weekday last
week" has a whole day to compare with. Live sends the current minute (values wobble within the
minute) and, in the first seconds of each minute, the 5-min slots of the last hour.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from data_sources.datasets.base import to_local_naive
from data_sources.simulator.base import Batch
from indicators.coords import gcj02_to_wgs84_array
from scenes.base import Geo

ROADS_FILE = Path(__file__).resolve().parents[2] / "data" / "roads" / "liaocheng_roads.geojson"
EPOCH = datetime(2000, 1, 1)
SLOT = timedelta(minutes=5)
FINE_WINDOW = timedelta(hours=48)
CENTER = (115.985, 36.456)  # 东昌府区 old town (GCJ-02): congestion is deepest near it
# Peak depth (share of free-flow speed lost at the worst peak) by setting and class.
DEPTH = {
    ("urban", "快速路"): 0.42,
    ("urban", "主干路"): 0.56,
    ("urban", "次干路"): 0.48,
    ("urban", "支路"): 0.5,
    ("intercity", "快速路"): 0.16,
    ("intercity", "主干路"): 0.3,
    ("intercity", "次干路"): 0.24,
}
KINDS = ("accident", "construction", "closure")
# Effect on the incident's segment and on its neighbours along the road (speed multiplier).
EFFECT = {"accident": (0.3, 0.6), "construction": (0.55, 0.8), "closure": (0.0, 0.5)}
DESCRIPTIONS = {
    "accident": ("两车追尾，占用一条车道", "车辆剐蹭，占用右侧车道", "单车事故，交警现场处置"),
    "construction": ("道路施工，半幅通行", "管线施工，占用一条车道", "路面维修，限速通行"),
    "closure": ("临时交通管制，道路封闭", "积水路段，临时封闭", "大型活动，临时封闭"),
}
BUS_SHARE = 0.2


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng([k % (2**63) for k in key])


def _slot_floor(ts: datetime, minutes: int = 5) -> datetime:
    return ts.replace(minute=ts.minute - ts.minute % minutes, second=0, microsecond=0)


def _bump(h: float, centre: float, width: float) -> float:
    return math.exp(-0.5 * ((h - centre) / width) ** 2)


def demand(ts: datetime) -> float:
    """How busy the roads are at `ts` (0 at night, about 1 at the weekday evening peak)."""
    h = ts.hour + ts.minute / 60
    if ts.weekday() < 5:
        return (
            0.95 * _bump(h, 8.0, 0.85)
            + 1.0 * _bump(h, 18.0, 0.95)
            + 0.35 * _bump(h, 12.5, 2.6)
            + 0.03
        )
    return 0.45 * _bump(h, 10.5, 1.6) + 0.55 * _bump(h, 17.0, 1.6) + 0.25 * _bump(h, 13.5, 3) + 0.02


@dataclass(frozen=True)
class Incident:
    """A simulated incident: on which segment, from when to when."""

    incident_id: str
    kind: str
    index: int  # segment index
    start: datetime
    end: datetime
    text: str


class TrafficSim:
    """Deterministic traffic feed over the generated network (SimulatedDomain)."""

    name = "traffic"

    def __init__(
        self,
        seed: int,
        vehicles: int = 4000,
        *,
        roads_file: Path = ROADS_FILE,
        incidents_per_day: float = 4.0,
    ) -> None:
        if vehicles < 0:
            raise ValueError(f"vehicles must be >= 0 (got {vehicles})")
        self.seed = seed
        self.vehicles = vehicles
        self.roads_file = roads_file
        self.incidents_per_day = incidents_per_day

    # network --------------------------------------------------------------------------------
    @cached_property
    def segments(self) -> list[dict[str, Any]]:
        """The network's segments as property dicts plus `path` (GCJ-02)."""
        raw = json.loads(self.roads_file.read_text(encoding="utf-8"))
        return [f["properties"] | {"path": f["geometry"]["coordinates"]} for f in raw["features"]]

    @cached_property
    def _arrays(self) -> dict[str, np.ndarray]:
        segs = self.segments
        mid = np.array([s["path"][len(s["path"]) // 2] for s in segs])
        dist = np.hypot((mid[:, 0] - CENTER[0]) * 0.8, mid[:, 1] - CENTER[1])
        central = np.clip(1.25 - 4.0 * dist, 0.8, 1.25)
        z = _rng(self.seed, 51).uniform(0.85, 1.15, size=len(segs))
        depth = np.array([DEPTH[(s["setting"], s["road_class"])] for s in segs])
        urban = np.array([s["setting"] == "urban" for s in segs])
        return {
            "vf": np.array([s["free_flow_kmh"] for s in segs]),
            "depth": depth * z * np.where(urban, central, 1.0),
            "base": _rng(self.seed, 52).uniform(0.93, 1.01, size=len(segs)),
            "urban": urban,
        }

    @cached_property
    def _neighbours(self) -> list[list[int]]:
        by_key = {(s["road_code"], s["seq"]): i for i, s in enumerate(self.segments)}
        return [
            [
                by_key[k]
                for k in ((s["road_code"], s["seq"] - 1), (s["road_code"], s["seq"] + 1))
                if k in by_key
            ]  # fmt: skip
            for s in self.segments
        ]

    def _midpoint_wgs(self, index: int) -> tuple[float, float]:
        path = np.array(self.segments[index]["path"])
        lon, lat = gcj02_to_wgs84_array(path[:, 0], path[:, 1])
        k = len(path) // 2
        x, y = (
            ((lon[k - 1] + lon[k]) / 2, (lat[k - 1] + lat[k]) / 2)
            if len(path) % 2 == 0
            else (lon[k], lat[k])
        )
        return round(float(x), 6), round(float(y), 6)

    def reference(self, geo: Geo) -> list[Batch]:
        """The segments (GCJ-02 path, WGS-84 midpoint) of the counties in `geo`."""
        records = []
        for i, s in enumerate(self.segments):
            if s["county"] not in geo.names:
                continue
            lon, lat = self._midpoint_wgs(i)
            keys = ("segment_id", "road", "road_class", "setting", "county", "seq", "length_m", "free_flow_kmh", "speed_limit_kmh")  # fmt: skip
            records.append({k: s[k] for k in keys} | {"lon": lon, "lat": lat, "path": s["path"]})
        return [("traffic_segments", records)]

    # incidents ------------------------------------------------------------------------------
    def incidents_on(self, day: date) -> list[Incident]:
        """The incidents that start on `day` (deterministic per seed and day)."""
        n_day = (day - EPOCH.date()).days
        rng = _rng(self.seed, 81, n_day)
        count = int(rng.poisson(self.incidents_per_day))
        urban = np.flatnonzero(self._arrays["urban"])
        other = np.flatnonzero(~self._arrays["urban"])
        out = []
        for k in range(count):
            kind = KINDS[int(rng.choice(3, p=[0.55, 0.25, 0.2]))]
            pool = urban if rng.random() < 0.7 or not len(other) else other
            index = int(pool[rng.integers(len(pool))])
            if kind == "accident":
                start_h = float(
                    np.clip(rng.choice([8.0, 12.5, 18.0]) + rng.normal(0, 1.2), 6, 22.5)
                )
                hours = rng.uniform(0.4, 1.5)
            elif kind == "construction":
                start_h, hours = rng.uniform(8.5, 14), rng.uniform(3, 8)
            else:
                start_h, hours = rng.uniform(7, 20), rng.uniform(1, 3)
            start = datetime.combine(day, datetime.min.time()) + timedelta(hours=float(start_h))
            start = start.replace(second=0, microsecond=0)
            text = DESCRIPTIONS[kind][int(rng.integers(3))]
            out.append(
                Incident(
                    f"TI{day:%Y%m%d}{k + 1:02d}",
                    kind,
                    index,
                    start,
                    start + timedelta(minutes=round(float(hours) * 60)),
                    text,
                )
            )
        return out

    def _active(self, ts: datetime) -> list[Incident]:
        days = (ts.date() - timedelta(days=1), ts.date())
        return [i for d in days for i in self.incidents_on(d) if i.start <= ts < i.end]

    def _incident_record(self, inc: Incident, at: datetime) -> dict[str, Any]:
        lon, lat = self._midpoint_wgs(inc.index)
        if inc.end <= at:
            end: datetime | None = inc.end
        else:  # planned works and closures announce their end; an accident's is not known yet
            end = None if inc.kind == "accident" else inc.end
        seg = self.segments[inc.index]
        return {
            "incident_id": inc.incident_id,
            "kind": inc.kind,
            "segment_id": seg["segment_id"],
            "ts": inc.start,
            "end_ts": end,
            "lon": lon,
            "lat": lat,
            "description": f"{seg['road']} {inc.text}",
        }

    # speeds ---------------------------------------------------------------------------------
    def _noise(self, ts: datetime) -> np.ndarray:
        """Smooth per-segment noise: a normal knot every 30 min, cosine-interpolated."""
        t = (ts - EPOCH).total_seconds() / 1800
        k0 = math.floor(t)
        w = (1 - math.cos(math.pi * (t - k0))) / 2
        n = len(self.segments)
        v0, v1 = (_rng(self.seed, 61, k).normal(0, 0.07, size=n) for k in (k0, k0 + 1))
        return v0 * (1 - w) + v1 * w

    def speeds(self, ts: datetime, wobble: float = 0.0, now_s: float = 0.0) -> np.ndarray:
        """Average travel speed (km/h) of every segment at `ts`."""
        a = self._arrays
        day = (ts.date() - EPOCH.date()).days
        day_factor = math.exp(float(_rng(self.seed, 71, day).normal(0, 0.08)))
        ratio = a["base"] * (1 - np.minimum(0.9, a["depth"] * demand(ts) * day_factor))
        ratio = ratio * np.exp(self._noise(ts))
        if wobble:
            phase = np.arange(len(ratio)) * 0.7
            ratio = ratio * (1 + wobble * np.sin(2 * math.pi * now_s / 40 + phase))
        factor = np.ones_like(ratio)
        for inc in self._active(ts):
            own, near = EFFECT[inc.kind]
            factor[inc.index] = min(factor[inc.index], own)
            for j in self._neighbours[inc.index]:
                factor[j] = min(factor[j], near)
        return np.round(np.clip(ratio * factor, 0.0, 1.08) * a["vf"], 1)

    def _speed_records(self, ts: datetime, values: np.ndarray) -> list[dict[str, Any]]:
        return [
            {"segment_id": s["segment_id"], "ts": ts, "speed_kmh": float(v)}
            for s, v in zip(self.segments, values, strict=True)
        ]

    # vehicles -------------------------------------------------------------------------------
    @cached_property
    def _routes(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, bool]]:
        """Each road's polyline (lon, lat, cumulative metres) and whether it is urban."""
        roads: dict[str, list[dict[str, Any]]] = {}
        for s in self.segments:
            roads.setdefault(s["road_code"], []).append(s)
        out = []
        for code in sorted(roads):
            segs = sorted(roads[code], key=lambda s: s["seq"])
            pts = [tuple(p) for s in segs for p in s["path"]]
            pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
            xy = np.array(pts)
            dx = np.diff(xy[:, 0]) * 111_320 * math.cos(math.radians(36.45))
            dy = np.diff(xy[:, 1]) * 110_540
            cum = np.concatenate([[0.0], np.cumsum(np.hypot(dx, dy))])
            out.append((xy[:, 0], xy[:, 1], cum, segs[0]["setting"] == "urban"))
        return out

    @cached_property
    def _fleet(self) -> dict[str, np.ndarray]:
        rng = _rng(self.seed, 91, self.vehicles)
        n = self.vehicles
        routes = self._routes
        urban = [i for i, r in enumerate(routes) if r[3]]
        other = [i for i, r in enumerate(routes) if not r[3]] or urban
        is_bus = np.arange(n) < round(n * BUS_SHARE)
        pick_urban = is_bus | (rng.random(n) < 0.85)
        lengths = np.array([r[2][-1] for r in routes])
        pu, po = lengths[urban] / lengths[urban].sum(), lengths[other] / lengths[other].sum()
        route = np.where(
            pick_urban, np.array(urban)[rng.choice(len(urban), n, p=pu)], np.array(other)[rng.choice(len(other), n, p=po)]
        )  # fmt: skip
        nominal = np.where(is_bus, 22.0, np.where(pick_urban, 32.0, 62.0)) * rng.uniform(
            0.7, 1.2, n
        )
        return {
            "bus": is_bus,
            "route": route,
            "speed": nominal,
            "phase": rng.uniform(0, 1, n) * 2 * lengths[route],
            "side": rng.normal(0, 1.5e-5, (n, 2)),
        }

    def vehicle_records(self, now: datetime) -> list[dict[str, Any]]:
        """Every vehicle's GPS fix at `now` (WGS-84), moving along its road back and forth."""
        if not self.vehicles:
            return []
        f, routes = self._fleet, self._routes
        t = (now - EPOCH).total_seconds()
        lon = np.empty(self.vehicles)
        lat = np.empty(self.vehicles)
        for r, (xs, ys, cum, _) in enumerate(routes):
            mask = f["route"] == r
            if not mask.any():
                continue
            total = cum[-1]
            s = np.mod(f["phase"][mask] + f["speed"][mask] / 3.6 * t, 2 * total)
            s = np.where(s > total, 2 * total - s, s)
            lon[mask], lat[mask] = np.interp(s, cum, xs), np.interp(s, cum, ys)
        gps = _rng(self.seed, 92, int(t)).normal(0, 3e-5, (self.vehicles, 2))
        lon, lat = lon + f["side"][:, 0] + gps[:, 0], lat + f["side"][:, 1] + gps[:, 1]
        wlon, wlat = gcj02_to_wgs84_array(lon, lat)
        ts = now.replace(microsecond=0)
        wave = np.abs(np.sin(t / 30 + np.arange(self.vehicles)))
        speed = np.round(f["speed"] * (0.75 + 0.5 * wave), 1)
        n_bus = int(f["bus"].sum())
        return [
            {
                "vehicle_id": f"BUS{i + 1:05d}" if bus else f"TAXI{i - n_bus + 1:05d}",
                "kind": "bus" if bus else "taxi",
                "ts": ts,
                "lon": round(float(x), 6),
                "lat": round(float(y), 6),
                "speed_kmh": float(v),
            }
            for i, (bus, x, y, v) in enumerate(zip(f["bus"], wlon, wlat, speed, strict=True))
        ]

    # SimulatedDomain ------------------------------------------------------------------------
    def history(self, geo: Geo, start: datetime, end: datetime) -> Iterator[Batch]:
        """Speeds and incidents from midnight of `start`'s day to `end`, one day per batch pair."""
        start, end = to_local_naive(start), to_local_naive(end)
        day = start.date()
        while datetime.combine(day, datetime.min.time()) < end:
            midnight = datetime.combine(day, datetime.min.time())
            speeds: list[dict[str, Any]] = []
            ts = midnight
            while ts < min(end, midnight + timedelta(days=1)):
                if ts >= end - FINE_WINDOW or ts.minute % 15 == 0:
                    speeds += self._speed_records(ts, self.speeds(ts))
                ts += SLOT
            incidents = [
                self._incident_record(i, end) for i in self.incidents_on(day) if i.start < end
            ]
            if speeds:
                yield ("traffic_speed", speeds)
            if incidents:
                yield ("traffic_incidents", incidents)
            day += timedelta(days=1)

    def live(self, geo: Geo, now: datetime) -> list[Batch]:
        """The current minute (wobbling), the last hour's 5-min slots early in each minute,
        today's and yesterday's incidents so far, and every vehicle's latest fix."""
        now = to_local_naive(now)
        minute = now.replace(second=0, microsecond=0)
        now_s = (now - minute).total_seconds()
        envelope = min(1.0, now_s / 10, (60 - now_s) / 10)
        speeds = []
        if now_s < 10:
            slot = _slot_floor(now)
            for k in range(12, 0, -1):
                ts = slot - (k - 1) * SLOT
                if ts < minute:
                    speeds += self._speed_records(ts, self.speeds(ts))
        speeds += self._speed_records(minute, self.speeds(minute, 0.06 * envelope, now_s))
        days = (now.date() - timedelta(days=1), now.date())
        incidents = [
            self._incident_record(i, now)
            for d in days
            for i in self.incidents_on(d)
            if i.start <= now
        ]
        batches: list[Batch] = [("traffic_speed", speeds)]
        if incidents:
            batches.append(("traffic_incidents", incidents))
        if self.vehicles:
            batches.append(("traffic_vehicles", self.vehicle_records(now)))
        return batches


def from_options(seed: int, options: Any) -> TrafficSim:
    """Build the simulator sized by the traffic scene's options."""
    return TrafficSim(
        seed, vehicles=options.vehicles, incidents_per_day=options.sim_incidents_per_day
    )
