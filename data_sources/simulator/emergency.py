"""Seeded demo feed for 应急管理: events with growing timelines, weather warnings, shelters,
rescue teams, depots, risk sources and IoT sensors in 聊城.

Every record is a pure function of (seed, time): events come from 3-hour blocks, warnings from
6-hour blocks, sensor values from smooth noise plus seeded excursions, so `history` and `live`
agree. Names are places and organisations only (no people, no phone or ID numbers).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from shapely.geometry import Point, shape

from data_sources.datasets.base import to_local_naive
from data_sources.simulator.base import Batch
from indicators.coords import gcj02_to_wgs84
from indicators.emergency import DEFAULT_WARNING_LEVELS
from scenes.base import Geo

EPOCH = datetime(2000, 1, 1)
EVENT_BLOCK = timedelta(hours=3)
WARN_BLOCK = timedelta(hours=6)
READ_STEP = timedelta(minutes=5)
MAX_EVENT = timedelta(hours=72)
# GCJ-02 anchors (county seats, parks): the map's coordinate system; stored as WGS-84.
ANCHORS = {
    "city": ("371502", 115.985, 36.456), "gaoxin": ("371502", 116.06, 36.47),
    "kaifa": ("371502", 116.03, 36.42), "371503": ("371503", 116.255, 36.58),
    "xinfa": ("371503", 116.22, 36.60), "371581": ("371581", 115.705, 36.84),
    "371521": ("371521", 115.79, 36.114), "371522": ("371522", 115.67, 36.235),
    "371524": ("371524", 116.25, 36.335), "371525": ("371525", 115.44, 36.484),
    "371526": ("371526", 116.23, 36.866),
}  # fmt: skip
SEATS = {"371502": "东昌府区", "371503": "茌平区", "371521": "阳谷县", "371522": "莘县",
         "371524": "东阿县", "371525": "冠县", "371526": "高唐县", "371581": "临清市"}  # fmt: skip
COUNTY_ANCHOR = {c: ("city" if c == "371502" else c) for c in SEATS}
# (id, kind, name, anchor, radius km, capacity)
RESOURCES = (
    ("SH01", "shelter", "人民广场应急避难场所", "city", 2, 20000),
    ("SH02", "shelter", "东昌湖风景区应急避难场所", "city", 2, 30000),
    ("SH03", "shelter", "聊城大学体育场避难场所", "city", 4, 12000),
    ("SH04", "shelter", "聊城市体育公园避难场所", "city", 5, 25000),
    ("SH05", "shelter", "开发区文体中心避难场所", "kaifa", 2, 8000),
    ("SH06", "shelter", "茌平区体育中心避难场所", "371503", 2, 10000),
    ("SH07", "shelter", "临清市人民公园避难场所", "371581", 2, 9000),
    ("SH08", "shelter", "阳谷县体育场避难场所", "371521", 2, 6000),
    ("SH09", "shelter", "莘县燕塔广场避难场所", "371522", 2, 7000),
    ("SH10", "shelter", "东阿县洛神湖公园避难场所", "371524", 2, 6000),
    ("SH11", "shelter", "冠县文化广场避难场所", "371525", 2, 6000),
    ("SH12", "shelter", "高唐县鱼邱湖公园避难场所", "371526", 2, 7000),
    ("RT01", "rescue_team", "市消防救援支队特勤站", "city", 3, 60),
    ("RT02", "rescue_team", "高新区消防救援站", "gaoxin", 2, 35),
    ("RT03", "rescue_team", "开发区消防救援站", "kaifa", 2, 35),
    ("RT04", "rescue_team", "市危化品应急救援队", "gaoxin", 3, 45),
    ("RT05", "rescue_team", "市水上搜救队", "city", 2, 25),
    ("RT06", "rescue_team", "茌平区消防救援大队", "371503", 3, 30),
    ("RT07", "rescue_team", "临清市消防救援大队", "371581", 3, 30),
    ("RT08", "rescue_team", "阳谷县消防救援大队", "371521", 3, 30),
    ("RT09", "rescue_team", "莘县消防救援大队", "371522", 3, 30),
    ("RT10", "rescue_team", "东阿县黄河防汛机动抢险队", "371524", 4, 80),
    ("RT11", "rescue_team", "冠县消防救援大队", "371525", 3, 30),
    ("RT12", "rescue_team", "高唐县消防救援大队", "371526", 3, 30),
    ("DP01", "depot", "市级应急物资储备库", "city", 6, 52000),
    ("DP02", "depot", "市防汛物资仓库", "kaifa", 4, 30000),
    ("DP03", "depot", "茌平区应急物资储备库", "371503", 4, 12000),
    ("DP04", "depot", "临清市应急物资储备库", "371581", 4, 12000),
    ("DP05", "depot", "阳谷县黄河防汛物资仓库", "371521", 6, 15000),
    ("DP06", "depot", "莘县应急物资储备库", "371522", 4, 9000),
    ("DP07", "depot", "冠县应急物资储备库", "371525", 4, 8000),
)
RISKS = (
    ("RS01", "危化品企业", "高新区化工园·氯碱装置区", "gaoxin", 2, 1),
    ("RS02", "危化品企业", "高新区化工园·甲醇储罐区", "gaoxin", 2, 1),
    ("RS03", "危化品企业", "高新区化工园·液氨储罐区", "gaoxin", 2, 2),
    ("RS04", "危化品企业", "信发工业园·液氯储罐区", "xinfa", 2, 1),
    ("RS05", "危化品企业", "信发工业园·危化品仓库", "xinfa", 2, 2),
    ("RS06", "危化品企业", "阳谷工业园·硫酸储罐区", "371521", 4, 2),
    ("RS07", "燃气场站", "聊城天然气门站", "city", 6, 2),
    ("RS08", "燃气场站", "高新区LNG储配站", "gaoxin", 3, 2),
    ("RS09", "燃气场站", "临清市燃气门站", "371581", 4, 2),
    ("RS10", "烟花爆竹仓库", "莘县烟花爆竹批发仓库", "371522", 6, 2),
    ("RS11", "烟花爆竹仓库", "冠县烟花爆竹批发仓库", "371525", 6, 3),
    *(
        (f"RS{12 + i}", "加油站", f"{road}加油站", anchor, 5, 3 + i % 2)
        for i, (road, anchor) in enumerate(
            (
                ("东昌路", "city"),
                ("柳园路", "city"),
                ("光岳路", "city"),
                ("G105国道", "371503"),
                ("G309国道", "371581"),
                ("S254省道", "371521"),
                ("G240国道", "371522"),
                ("济聊高速服务区", "371524"),
                ("青兰高速服务区", "371525"),
                ("德上高速服务区", "371526"),
            )
        )  # fmt: skip
    ),
)
# (id, kind, name, anchor, radius km, unit, threshold, base)
SENSORS = (
    ("WL01", "河道水位", "徒骇河·毕屯水位站", "city", 9, "m", 31.5, 29.6),
    ("WL02", "河道水位", "徒骇河·茌平水位站", "371503", 8, "m", 29.8, 27.9),
    ("WL03", "河道水位", "徒骇河·夏口水位站", "371526", 8, "m", 26.6, 24.8),
    ("WL04", "河道水位", "马颊河·沙镇水位站", "city", 10, "m", 32.2, 30.3),
    ("WL05", "河道水位", "卫运河·临清水位站", "371581", 6, "m", 34.0, 31.8),
    ("WL06", "河道水位", "卫运河·尖庄水位站", "371581", 10, "m", 33.2, 31.0),
    ("WL07", "河道水位", "黄河·陶城铺水位站", "371521", 10, "m", 44.5, 41.9),
    ("WL08", "河道水位", "黄河·艾山水位站", "371524", 8, "m", 42.0, 39.6),
    *(
        (f"GS{i + 1:02d}", "燃气浓度", name, "city", 4, "%LEL", 20.0, 1.2)
        for i, name in enumerate(
            (
                "东昌路燃气阀井",
                "柳园路燃气阀井",
                "光岳路调压站",
                "建设路燃气阀井",
                "花园路燃气阀井",
                "昌润路调压站",
                "兴华路燃气阀井",
                "湖南路燃气阀井",
            )
        )  # fmt: skip
    ),
    ("WD01", "积水深度", "东昌路铁路下穿积水点", "city", 3, "cm", 20.0, 0.0),
    ("WD02", "积水深度", "卫育路下穿立交积水点", "city", 3, "cm", 20.0, 0.0),
    ("WD03", "积水深度", "站前街下穿积水点", "city", 3, "cm", 20.0, 0.0),
    ("WD04", "积水深度", "振兴路下穿积水点", "371503", 3, "cm", 20.0, 0.0),
)
# type -> (weight, subtypes); 自然灾害 subtypes depend on the season.
ACCIDENTS = (
    "道路交通事故",
    "道路交通事故",
    "危化品泄漏",
    "工贸企业火灾",
    "燃气泄漏",
    "建筑施工事故",
)
NATURAL = {"winter": ("雪灾冰冻", "寒潮冻害"), "summer": ("暴雨内涝", "河道洪水险情", "大风灾害"),
           "spring": ("大风灾害", "森林火灾"), "autumn": ("河道洪水险情", "大雾交通受阻", "大风灾害")}  # fmt: skip
HEALTH = ("食物中毒", "传染病聚集性疫情")
SOCIAL = ("群体性事件", "大型活动人员拥挤")
DURATION_H = {
    "自然灾害": (12, 48),
    "事故灾难": (4, 20),
    "公共卫生事件": (24, 72),
    "社会安全事件": (3, 10),
}
SEASON_WARNINGS = {
    "winter": ("大雾", "寒潮", "霾", "道路结冰", "暴雪", "大风"),
    "spring": ("大风", "沙尘暴", "干旱", "大雾", "霜冻"),
    "summer": ("高温", "暴雨", "雷电", "大风", "冰雹"),
    "autumn": ("大雾", "霜冻", "暴雨", "霾"),
}
HANDLING = {
    "道路交通事故": (
        "交警实施交通管制，疏导滞留车辆",
        "伤员已转送医院救治",
        "清理事故车辆和路面散落物",
    ),
    "危化品泄漏": ("划定警戒区，下风向人员疏散", "危化品救援队实施堵漏", "环境监测组开展大气监测"),
    "燃气泄漏": ("关阀断气，周边实施警戒", "燃气抢险队开挖检修", "持续检测燃气浓度"),
}
DEFAULT_HANDLING = ("现场指挥部组织研判", "救援力量分组处置", "持续监测，防范次生灾害")


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng([k % (2**63) for k in key])


def _index(ts: datetime, step: timedelta) -> int:
    return int((ts - EPOCH) // step)


def _season(ts: datetime) -> str:
    return {11: "winter", 12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring",
            5: "spring", 6: "summer", 7: "summer", 8: "summer"}.get(ts.month, "autumn")  # fmt: skip


@dataclass(frozen=True)
class SimEvent:
    """One simulated event: what, where, when, how bad, and when it ends."""

    event_id: str
    type: str
    subtype: str
    grade: str
    place: str
    county: str
    xy: tuple[float, float]  # GCJ-02
    started: datetime
    ends: datetime


class EmergencySim:
    """Deterministic emergency records for 聊城 (SimulatedDomain)."""

    name = "emergency"

    def __init__(self, seed: int, events_per_block: float = 0.8) -> None:
        self.seed = seed
        self.rate = events_per_block
        self._polys: dict[str, Any] = {}
        self._sites: dict[str, tuple[float, float]] = {}

    # places -------------------------------------------------------------------
    def _near(self, geo: Geo, anchor: str, km: float, stream: int) -> tuple[float, float]:
        """A GCJ-02 point within `km` of an anchor and inside the anchor's county."""
        county, x0, y0 = ANCHORS[anchor]
        if county not in self._polys:
            feature = next(
                f for f in geo.counties["features"] if f["properties"]["adcode"] == county
            )
            self._polys[county] = shape(feature["geometry"]).buffer(-0.01)
        poly, rng = self._polys[county], _rng(self.seed, 3, stream)
        for _ in range(200):
            r, a = km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
            x, y = x0 + r * math.cos(a) / 89.5, y0 + r * math.sin(a) / 111.0
            if poly.contains(Point(x, y)):
                return round(x, 5), round(y, 5)
        return x0, y0

    def _site(self, geo: Geo, key: str, anchor: str, km: float) -> tuple[float, float]:
        if key not in self._sites:
            self._sites[key] = self._near(
                geo, anchor, km, sum(ord(c) * 31**i for i, c in enumerate(key))
            )
        return self._sites[key]

    @staticmethod
    def _gps(xy: tuple[float, float]) -> dict[str, float]:
        lon, lat = gcj02_to_wgs84(*xy)
        return {"lon": round(lon, 6), "lat": round(lat, 6)}

    # events -------------------------------------------------------------------
    def _event(self, geo: Geo, block: int) -> SimEvent | None:
        rng = _rng(self.seed, 31, block)
        if rng.random() >= self.rate:
            return None
        start = EPOCH + block * EVENT_BLOCK + timedelta(minutes=int(rng.integers(0, 180)))
        u = rng.random()
        kind = (
            "事故灾难"
            if u < 0.5
            else "自然灾害"
            if u < 0.75
            else "公共卫生事件"
            if u < 0.87
            else "社会安全事件"
        )
        pools = {
            "事故灾难": ACCIDENTS,
            "自然灾害": NATURAL[_season(start)],
            "公共卫生事件": HEALTH,
            "社会安全事件": SOCIAL,
        }
        subtype = str(rng.choice(pools[kind]))
        g = rng.random()
        grade = "IV" if g < 0.55 else "III" if g < 0.89 else "II" if g < 0.985 else "I"
        lo, hi = DURATION_H[kind]
        ends = start + timedelta(minutes=int(rng.integers(lo * 60, hi * 60)))
        if subtype == "危化品泄漏":
            sid, _, name, anchor, km, _ = RISKS[int(rng.integers(0, 6))]
            county, xy, place = ANCHORS[anchor][0], self._site(geo, sid, anchor, km), name
        else:
            county = str(rng.choice(sorted(c for c in SEATS if c in geo.names)))
            xy = self._near(geo, COUNTY_ANCHOR[county], 14, 10**6 + block)
            place = f"{SEATS[county]}{'城区' if rng.random() < 0.5 else '乡镇'}"
        return SimEvent(f"EV{block}", kind, subtype, grade, place, county, xy, start, ends)

    def events(self, geo: Geo, since: datetime, until: datetime) -> list[SimEvent]:
        """Events that started before `until` and had not ended by `since`."""
        first, last = _index(since - MAX_EVENT, EVENT_BLOCK), _index(until, EVENT_BLOCK)
        found = (self._event(geo, b) for b in range(first, last + 1))
        return [e for e in found if e and e.started <= until and e.ends > since]

    def _casualties(self, ev: SimEvent) -> dict[str, Any]:
        """Decree 493 inputs that land exactly in the event's grade (the ingest computes it)."""
        rng = _rng(self.seed, 33, int(ev.event_id[2:]))
        deaths = {"IV": (0, 3), "III": (3, 7), "II": (10, 15), "I": (30, 36)}[ev.grade]
        return {
            "deaths": int(rng.integers(*deaths)),
            "serious_injuries": int(rng.integers(0, 10)),
            "direct_loss": float(round(rng.uniform(5e4, 9e6), -3)),
        }

    def _record(self, ev: SimEvent, at: datetime) -> dict[str, Any]:
        rec = {"event_id": ev.event_id, "type": ev.type, "subtype": ev.subtype, "place": ev.place,
               "county": ev.county, **self._gps(ev.xy), "started_at": ev.started,
               "status": "已结束" if at >= ev.ends else "处置中"}  # fmt: skip
        if ev.type == "事故灾难":
            return rec | self._casualties(ev)  # graded from casualties/loss by the ingest
        return rec | {"grade": ev.grade}

    def _log(self, ev: SimEvent) -> list[dict[str, Any]]:
        rng = _rng(self.seed, 35, int(ev.event_id[2:]))
        level = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}[ev.grade]
        who = "市应急管理局" if ev.grade in ("I", "II", "III") else f"{SEATS[ev.county]}应急管理局"
        arrive = 20 + int(rng.integers(0, 25))
        steps = [
            (0, "接报", f"接报：{ev.place}发生{ev.subtype}"),
            (6, "先期处置", "属地乡镇（街道）先期处置，设置警戒区"),
            (15, "响应启动", f"{who}启动{level}级应急响应"),
            (arrive, "力量到场", f"消防救援、医疗等力量到场，出动{int(rng.integers(12, 90))}人"),
        ]
        texts = HANDLING.get(ev.subtype, DEFAULT_HANDLING)
        t, k = arrive, 0
        while True:
            t += 50 + int(rng.integers(0, 50))
            if ev.started + timedelta(minutes=t) >= ev.ends:
                break
            steps.append((t, "处置", texts[k % len(texts)]))
            k += 1
        out = [
            {
                "event_id": ev.event_id,
                "ts": ev.started + timedelta(minutes=m),
                "stage": s,
                "text": x,
            }
            for m, s, x in steps
            if ev.started + timedelta(minutes=m) < ev.ends
        ]
        out.append(
            {
                "event_id": ev.event_id,
                "ts": ev.ends,
                "stage": "结束",
                "text": "现场处置完毕，应急响应终止",
            }
        )
        return out

    # warnings -----------------------------------------------------------------
    def _warnings_of(self, geo: Geo, block: int) -> list[dict[str, Any]]:
        rng = _rng(self.seed, 41, block)
        start = EPOCH + block * WARN_BLOCK
        out = []
        for k in range(int(rng.choice([0, 1, 1, 1, 2]))):
            kind = str(rng.choice(SEASON_WARNINGS[_season(start)]))
            allowed = DEFAULT_WARNING_LEVELS[kind]
            weights = np.array([0.6, 0.3, 0.09, 0.01][: len(allowed)])
            colour = str(rng.choice(allowed, p=weights / weights.sum()))
            issued = start + timedelta(minutes=int(rng.integers(0, 360)))
            expires = issued + timedelta(hours=int(rng.integers(6, 25)))
            codes = sorted(c for c in SEATS if c in geo.names)
            n = len(codes) if rng.random() < 0.3 else int(rng.integers(1, 4))
            for county in sorted(rng.choice(codes, size=min(n, len(codes)), replace=False)):
                out.append({"warning_id": f"W{block}{k}{county}", "type": kind, "colour": colour,
                            "county": str(county), "issued_at": issued, "expires_at": expires})  # fmt: skip
        return out

    def warnings(self, geo: Geo, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Warnings issued before `until` that had not expired by `since`."""
        first, last = _index(since - timedelta(hours=30), WARN_BLOCK), _index(until, WARN_BLOCK)
        every = (w for b in range(first, last + 1) for w in self._warnings_of(geo, b))
        return [w for w in every if w["issued_at"] <= until and w["expires_at"] > since]

    # sensors ------------------------------------------------------------------
    def _noise(self, stream: int, t_days: float) -> float:
        d0 = math.floor(t_days)
        w = (1 - math.cos(math.pi * (t_days - d0))) / 2
        v0, v1 = (float(_rng(self.seed, stream, d + 10**6).normal()) for d in (d0, d0 + 1))
        return v0 * (1 - w) + v1 * w

    def _excursion(self, i: int, ts: datetime, block_h: int, chance: float) -> float:
        """0..1 bump of a seeded excursion (a leak, a flood crest, a downpour) around `ts`."""
        step = timedelta(hours=block_h)
        b = _index(ts, step)
        best = 0.0
        for blk in (b - 1, b):
            rng = _rng(self.seed, 51, i, blk)
            if rng.random() >= chance:
                continue
            start = EPOCH + blk * step + timedelta(minutes=int(rng.integers(0, block_h * 60)))
            length = timedelta(minutes=int(rng.integers(20, 90)))
            x = (ts - start) / length
            if 0 <= x <= 1:
                best = max(best, math.sin(math.pi * x) * float(rng.uniform(1.05, 1.6)))
        return best

    def _value(self, i: int, ts: datetime, wobble: float = 0.0) -> float:
        _, kind, _, _, _, _, threshold, base = SENSORS[i]
        t_days = (ts - EPOCH).total_seconds() / 86400
        if kind == "河道水位":
            summer = 0.5 + 0.5 * math.cos(2 * math.pi * (ts.timetuple().tm_yday - 200) / 365.25)
            crest = self._excursion(i, ts, 12, 0.12) * (threshold - base) * 1.1
            v = base + 0.7 * summer + 0.25 * self._noise(60 + i, t_days) + crest + 0.03 * wobble
            return round(v, 2)
        if kind == "燃气浓度":
            leak = self._excursion(i, ts, 6, 0.06) * threshold
            return round(
                max(0.0, base + 0.5 * self._noise(60 + i, t_days * 8) + leak + 0.3 * wobble), 1
            )
        rain = self._excursion(i, ts, 12, 0.1) * threshold
        return round(max(0.0, rain + (0.4 * wobble if rain > 0 else 0.0)), 1)

    def readings(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        out, ts = [], EPOCH + _index(start, READ_STEP) * READ_STEP
        ts = ts if ts >= start else ts + READ_STEP
        while ts < end:
            out += [
                {"sensor_id": s[0], "ts": ts, "value": self._value(i, ts)}
                for i, s in enumerate(SENSORS)
            ]
            ts += READ_STEP
        return out

    # SimulatedDomain ----------------------------------------------------------
    def _resources(self, geo: Geo, at: datetime) -> list[dict[str, Any]]:
        hit = {
            e.county: e
            for e in self.events(geo, at, at)
            if e.type == "自然灾害" and e.grade != "IV"
        }
        out = []
        for rid, kind, name, anchor, km, cap in RESOURCES:
            county = ANCHORS[anchor][0]
            if county not in geo.names:
                continue
            rec = {"resource_id": rid, "kind": kind, "name": name, "county": county,
                   **self._gps(self._site(geo, rid, anchor, km)), "capacity": cap}  # fmt: skip
            if kind == "shelter":
                ev = hit.get(county)
                share = (
                    0.0 if ev is None else min(1.0, (at - ev.started) / timedelta(hours=6)) * 0.35
                )
                rec["occupied"] = int(cap * share * (0.8 + 0.2 * math.sin(int(rid[2:]))))
            out.append(rec)
        return out

    def reference(self, geo: Geo) -> list[Batch]:
        """Risk sources and sensors (resources come with occupancy in `live`)."""
        risks = [{"source_id": sid, "kind": k, "name": n, "county": ANCHORS[a][0], "risk_level": lvl,
                  **self._gps(self._site(geo, sid, a, km))}
                 for sid, k, n, a, km, lvl in RISKS if ANCHORS[a][0] in geo.names]  # fmt: skip
        sensors = [{"sensor_id": sid, "kind": k, "name": n, "county": ANCHORS[a][0], "unit": u,
                    "threshold": th, **self._gps(self._site(geo, sid, a, km))}
                   for sid, k, n, a, km, u, th, _ in SENSORS if ANCHORS[a][0] in geo.names]  # fmt: skip
        return [("emergency_risk_sources", risks), ("emergency_sensors", sensors),
                ("emergency_resources", self._resources(geo, EPOCH))]  # fmt: skip

    def history(self, geo: Geo, start: datetime, end: datetime) -> Iterator[Batch]:
        """One local day per group of batches; event status and timelines as of `end`."""
        start, end = to_local_naive(start), to_local_naive(end)
        day = start
        while day < end:
            nxt = min(end, datetime.combine(day.date() + timedelta(days=1), datetime.min.time()))
            evs = [e for e in self.events(geo, day, nxt) if day <= e.started < nxt]
            if evs:
                yield ("emergency_events", [self._record(e, end) for e in evs])
                logs = [r for e in evs for r in self._log(e) if r["ts"] < end]
                if logs:
                    yield ("emergency_event_log", logs)
            warns = [w for w in self.warnings(geo, day, nxt) if day <= w["issued_at"] < nxt]
            if warns:
                yield ("emergency_warnings", warns)
            yield ("emergency_readings", self.readings(day, nxt))
            day = nxt

    def live(self, geo: Geo, now: datetime) -> list[Batch]:
        """Events of the last day (status as of now), timelines so far, warnings, readings."""
        now = to_local_naive(now)
        evs = self.events(geo, now - timedelta(hours=24), now)
        batches: list[Batch] = [("emergency_resources", self._resources(geo, now))]
        if evs:
            batches.append(("emergency_events", [self._record(e, now) for e in evs]))
            logs = [r for e in evs for r in self._log(e) if r["ts"] <= now]
            batches.append(("emergency_event_log", logs))
        warns = self.warnings(geo, now, now)
        if warns:
            batches.append(("emergency_warnings", warns))
        minute = now.replace(second=0, microsecond=0)
        secs = now.second + now.microsecond / 1e6
        reads = [{"sensor_id": s[0], "ts": minute, "value": self._value(i, now, math.sin(secs / 4 + i))}
                 for i, s in enumerate(SENSORS)]  # fmt: skip
        batches.append(("emergency_readings", reads))
        return batches


def from_options(seed: int, options: Any) -> EmergencySim:
    """Build the simulator (the scene options tune display, not the feed)."""
    return EmergencySim(seed, events_per_block=getattr(options, "sim_events_per_block", 0.8))
