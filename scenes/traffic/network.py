"""Pure traffic aggregation for the 交通运行 scene: segment grades, network/county/road indices.

Conventions (documented in docs/traffic.md):
- network, county and road TTI/DTP are mileage-weighted means of their segments' values;
- TPI = Annex C DTP -> TPI with the configured `tpi_dtp_edges`; its level is read from the TPI
  as displayed (one decimal), so "6.0" is never labelled 轻度拥堵;
- headline indices use the configured network scope (urban built-up roads by default, §5.2);
  counties and roads use all of their segments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from indicators.traffic import (
    GRADES,
    segment_dtp,
    segment_grade,
    segment_tti,
    tpi_from_dtp,
    tpi_level,
)

KIND_LABELS = {"accident": "事故", "construction": "施工", "closure": "封闭"}


def to_dt(value: Any) -> datetime:
    """Accept the ISO strings the hub's JSON round trip produces, or datetimes."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class Seg:
    """One segment with its latest speed (None when it has no recent reading) and grade."""

    segment_id: str
    road: str
    road_class: str
    setting: str
    county: str
    length_m: float
    free_flow_kmh: float
    path: tuple[tuple[float, float], ...]
    speed_kmh: float | None
    grade: str | None
    dtp: float | None = None
    tti: float | None = None  # None when stopped (or no reading)


@dataclass(frozen=True)
class Index:
    """Indices of a set of segments: TPI and its level, TTI, DTP, speed and grade shares."""

    tpi: float
    level: str
    tti: float | None
    dtp: float
    speed_kmh: float
    shares: Mapping[str, float]
    congested: float
    km: float


@dataclass(frozen=True)
class RoadStat:
    """A named road's indices over all of its segments."""

    road: str
    index: Index


@dataclass(frozen=True)
class IncidentRow:
    """An incident as shown: kind label, road, times, and whether it is still active."""

    incident_id: str
    kind: str
    road: str
    start: datetime
    end: datetime | None
    active: bool
    lon: float
    lat: float
    description: str

    @property
    def label(self) -> str:
        """事故 / 施工 / 封闭."""
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class TrafficState:
    """Everything the panels and the summary need, computed once per render."""

    as_of: datetime | None
    segments: tuple[Seg, ...] = ()
    network: Index | None = None
    counties: Mapping[str, Index] = field(default_factory=dict)
    roads: tuple[RoadStat, ...] = ()
    today: tuple[tuple[datetime, float], ...] = ()
    last_week: tuple[tuple[datetime, float], ...] = ()
    road_curves: Mapping[str, tuple[tuple[datetime, float], ...]] = field(default_factory=dict)
    road_free_flow: Mapping[str, float] = field(default_factory=dict)
    incidents: tuple[IncidentRow, ...] = ()
    vehicles: Mapping[str, Sequence[Sequence[float]]] = field(default_factory=dict)


def tpi_of(dtp: float, bands: Sequence[float]) -> tuple[float, str]:
    """TPI rounded to one decimal and the level of that displayed value."""
    tpi = round(tpi_from_dtp(min(1.0, max(0.0, dtp)), bands), 1)
    return tpi, tpi_level(tpi)


def index_of(segs: Iterable[Seg], bands: Sequence[float], congested: Sequence[str]) -> Index | None:
    """Mileage-weighted indices of the segments that have a reading (None when none has).

    Each segment's grade, DTP and TTI come from indicators.traffic (exact); only the weighted
    sums are floats, equal to indicators.traffic.network_dtp/network_tti (tests check it).
    """
    rows = [s for s in segs if s.speed_kmh is not None]
    total = sum(s.length_m for s in rows)
    if not rows or total <= 0:
        return None
    dtp = sum(s.length_m * (s.dtp or 0.0) for s in rows) / total
    moving = [s for s in rows if s.tti is not None]
    moving_km = sum(s.length_m for s in moving)
    tti = sum(s.length_m * (s.tti or 1.0) for s in moving) / moving_km if moving_km else None
    shares = dict.fromkeys(GRADES, 0.0)
    for s in rows:
        shares[s.grade or GRADES[-1]] += s.length_m / total
    tpi, level = tpi_of(dtp, bands)
    return Index(
        tpi=tpi,
        level=level,
        tti=tti,
        dtp=dtp,
        speed_kmh=sum(s.length_m * (s.speed_kmh or 0.0) for s in rows) / total,
        shares=shares,
        congested=sum(shares[g] for g in congested),
        km=total / 1000,
    )


def _segments(net: Mapping[str, Any], live: Mapping[str, Any]) -> tuple[Seg, ...]:
    speeds = {str(r["segment_id"]): float(r["speed_kmh"]) for r in live.get("speeds") or ()}
    out = []
    for s in net.get("segments") or ():
        sid, vf, length = str(s["segment_id"]), float(s["free_flow_kmh"]), float(s["length_m"])
        v = speeds.get(sid)
        out.append(
            Seg(
                sid,
                str(s["road"]),
                str(s["road_class"]),
                str(s["setting"]),
                str(s["county"]),
                length,
                vf,
                tuple((float(x), float(y)) for x, y in s["path"]),
                v,
                segment_grade(v, vf) if v is not None else None,
                segment_dtp(length, v, vf) if v is not None else None,
                segment_tti(length, v, vf) if v is not None else None,
            )
        )
    return tuple(out)


def _curve(rows: Iterable[Sequence[Any]], bands: Sequence[float], shift_days: int = 0) -> tuple:
    out = []
    for ts, w_dtp, length, _ in rows:
        if length:
            out.append((to_dt(ts) + timedelta(days=shift_days), tpi_of(w_dtp / length, bands)[0]))
    return tuple(out)


def _incidents(live: Mapping[str, Any], roads: Mapping[str, str], now: datetime) -> tuple:
    rows = []
    for r in live.get("incidents") or ():
        start, end = to_dt(r["ts"]), to_dt(r["end_ts"]) if r.get("end_ts") else None
        rows.append(
            IncidentRow(
                str(r["incident_id"]),
                str(r["kind"]),
                roads.get(str(r["segment_id"]), "未知路段"),
                start,
                end,
                start <= now and (end is None or end > now),
                float(r["lon"]),
                float(r["lat"]),
                str(r["description"]),
            )
        )
    # Active first, most recent first; then the ones that ended today.
    return tuple(sorted(rows, key=lambda i: (not i.active, -i.start.timestamp(), i.incident_id)))


def build_state(
    net: Mapping[str, Any] | None,
    live: Mapping[str, Any] | None,
    *,
    bands: Sequence[float],
    scope: str,
    congested: Sequence[str],
    now: datetime,
) -> TrafficState:
    """Aggregate both products (either may be missing) into a TrafficState."""
    net, live = net or {}, live or {}
    segs = _segments(net, live)
    stamps = [to_dt(r["ts"]) for r in live.get("speeds") or ()]
    in_scope = [s for s in segs if scope == "all" or s.setting == scope]
    counties = {
        c: idx
        for c in sorted({s.county for s in segs})
        if (idx := index_of((s for s in segs if s.county == c), bands, congested)) is not None
    }
    roads = []
    for road in dict.fromkeys(s.road for s in segs):
        idx = index_of((s for s in segs if s.road == road), bands, congested)
        if idx is not None:
            roads.append(RoadStat(road, idx))
    roads.sort(key=lambda r: (-r.index.dtp, r.road))
    series = (net.get("urban" if scope == "urban" else "all") or {}) if net else {}
    free = {}
    for road in dict.fromkeys(s.road for s in segs):
        mine = [s for s in segs if s.road == road]
        free[road] = sum(s.length_m * s.free_flow_kmh for s in mine) / sum(s.length_m for s in mine)
    curves = {
        str(road): tuple((to_dt(ts), float(v)) for ts, v in rows)
        for road, rows in (net.get("roads") or {}).items()
    }
    return TrafficState(
        as_of=max(stamps) if stamps else None,
        segments=segs,
        network=index_of(in_scope, bands, congested),
        counties=counties,
        roads=tuple(roads),
        today=_curve(series.get("today") or (), bands),
        last_week=_curve(series.get("last_week") or (), bands, shift_days=7),
        road_curves=curves,
        road_free_flow=free,
        incidents=_incidents(live, {s.segment_id: s.road for s in segs}, now),
        vehicles={k: v for k, v in (live.get("vehicles") or {}).items() if v},
    )


def kind_counts(incidents: Iterable[IncidentRow]) -> dict[str, int]:
    """Active incidents per kind label, in a fixed order."""
    counts = dict.fromkeys(KIND_LABELS.values(), 0)
    for i in incidents:
        if i.active:
            counts[i.label] = counts.get(i.label, 0) + 1
    return counts


__all__ = ["GRADES", "IncidentRow", "Index", "RoadStat", "Seg", "TrafficState", "build_state"]
