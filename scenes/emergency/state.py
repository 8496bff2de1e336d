"""Pure parsing of the 应急管理 products into typed rows the panels and the map share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from indicators.emergency import COLOUR_LEVEL, grade_rank, warning_problem


def to_dt(value: Any) -> datetime:
    """The hub round-trips products through JSON: accept datetimes and ISO strings."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class Event:
    event_id: str
    type: str
    subtype: str
    grade: str
    place: str
    county: str
    lon: float  # WGS-84 as reported
    lat: float
    started: datetime
    active: bool
    deaths: int | None
    injuries: int | None
    loss: float | None
    log: tuple[tuple[datetime, str, str], ...] = ()


@dataclass(frozen=True)
class Warning:
    warning_id: str
    type: str
    colour: str
    county: str
    issued: datetime
    expires: datetime


@dataclass(frozen=True)
class Site:
    """A resource, risk source or sensor: kind, name, place and its numbers."""

    site_id: str
    kind: str
    name: str
    county: str
    lon: float
    lat: float
    capacity: float = 0.0
    occupied: int | None = None
    level: int | None = None
    unit: str = ""
    value: float | None = None
    ts: datetime | None = None

    @property
    def over(self) -> bool:
        """A sensor above its threshold (thresholds are upper limits)."""
        return self.value is not None and self.value > self.capacity

    @property
    def free(self) -> int:
        return max(0, int(self.capacity) - (self.occupied or 0))


@dataclass(frozen=True)
class State:
    now: datetime
    events: tuple[Event, ...] = ()
    ended: tuple[Event, ...] = ()
    warnings: tuple[Warning, ...] = ()
    invalid_warnings: int = 0
    resources: tuple[Site, ...] = ()
    risks: tuple[Site, ...] = ()
    sensors: tuple[Site, ...] = ()
    has_events: bool = False
    has_sites: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def of_kind(self, kind: str) -> tuple[Site, ...]:
        return tuple(r for r in self.resources if r.kind == kind)


def _event(row: Mapping[str, Any], log: Sequence[tuple[datetime, str, str]]) -> Event:
    return Event(
        event_id=str(row["event_id"]),
        type=str(row["type"]),
        subtype=str(row["subtype"]),
        grade=str(row["grade"]),
        place=str(row["place"]),
        county=str(row["county"]),
        lon=float(row["lon"]),
        lat=float(row["lat"]),
        started=to_dt(row["started_at"]),
        active=row["status"] == "处置中",
        deaths=row.get("deaths"),
        injuries=row.get("serious_injuries"),
        loss=row.get("direct_loss"),
        log=tuple(log),
    )


def _site(row: Mapping[str, Any], key: str, **kw: Any) -> Site:
    return Site(
        site_id=str(row[key]),
        kind=str(row["kind"]),
        name=str(row["name"]),
        county=str(row["county"]),
        lon=float(row["lon"]),
        lat=float(row["lat"]),
        **kw,
    )


def build_state(
    events: Mapping[str, Any] | None,
    sites: Mapping[str, Any] | None,
    levels: Mapping[str, Sequence[str]],
    now: datetime,
) -> State:
    """Active events most severe first; warnings in force at `now` that the colour table allows."""
    ev, si = events or {}, sites or {}
    logs: dict[str, list[tuple[datetime, str, str]]] = {}
    for r in ev.get("log") or ():
        logs.setdefault(str(r["event_id"]), []).append(
            (to_dt(r["ts"]), str(r["stage"]), str(r["text"]))
        )
    parsed = [_event(r, sorted(logs.get(str(r["event_id"]), []))) for r in ev.get("events") or ()]
    order = lambda e: (grade_rank(e.grade), -e.started.timestamp(), e.event_id)  # noqa: E731
    active = sorted((e for e in parsed if e.active), key=order)
    ended = sorted((e for e in parsed if not e.active), key=order)
    warnings, invalid = [], 0
    for r in ev.get("warnings") or ():
        w = Warning(str(r["warning_id"]), str(r["type"]), str(r["colour"]), str(r["county"]),
                    to_dt(r["issued_at"]), to_dt(r["expires_at"]))  # fmt: skip
        if warning_problem(w.type, w.colour, levels):
            invalid += 1
        elif w.issued <= now < w.expires:
            warnings.append(w)
    warnings.sort(key=lambda w: (COLOUR_LEVEL[w.colour], w.type, w.expires, w.county))
    latest = {str(r["sensor_id"]): r for r in si.get("readings") or ()}
    sensors = []
    for r in si.get("sensors") or ():
        reading = latest.get(str(r["sensor_id"]))
        sensors.append(
            _site(
                r,
                "sensor_id",
                capacity=float(r["threshold"]),
                unit=str(r["unit"]),
                value=float(reading["value"]) if reading else None,
                ts=to_dt(reading["ts"]) if reading else None,
            )
        )
    resources = [
        _site(r, "resource_id", capacity=float(r["capacity"]), occupied=r.get("occupied"))
        for r in si.get("resources") or ()
    ]
    risks = [_site(r, "source_id", level=int(r["risk_level"])) for r in si.get("risks") or ()]
    return State(
        now=now,
        events=tuple(active),
        ended=tuple(ended),
        warnings=tuple(warnings),
        invalid_warnings=invalid,
        resources=tuple(resources),
        risks=tuple(risks),
        sensors=tuple(sensors),
        has_events=events is not None,
        has_sites=sites is not None,
    )
