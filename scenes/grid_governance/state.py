"""Pure aggregation of the 网格化治理 products into one state the panels and the summary share.

Choices (documented in docs/grid_governance.md):
- Counts come per grid from SQL; townships and counties roll up by the grid code's prefixes
  (county 6 + township 3 + community 3 + grid 2), so a township needs no join.
- A member counts as online when its status is 在线 and its last report is at most
  `member_timeout_min` old at the product's `now`; an older 在线 counts as 失联 (offline).
- Rates are `indicators.cases.case_rates` over `case_stats.period_counts` (应结案数 denominator).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from data_sources.datasets.cases import GRID_EVENT_CATEGORIES
from indicators.cases import COUNT_KEYS, case_rates
from scenes.grid_governance.options import Options

ONLINE = "在线"


def to_dt(value: Any) -> datetime | None:
    """Accept the ISO strings the hub's JSON round trip produces, datetimes, or None."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class Counts:
    """Open, overdue, reported-today and closed-today events of a grid, township or county."""

    open: int = 0
    overdue: int = 0
    today: int = 0
    closed_today: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.open + other.open,
            self.overdue + other.overdue,
            self.today + other.today,
            self.closed_today + other.closed_today,
        )


def total(items: Iterable[Counts]) -> Counts:
    """The sum of several counts."""
    out = Counts()
    for c in items:
        out = out + c
    return out


@dataclass(frozen=True)
class Cell:
    """A unit grid: hierarchy, names, centroid (WGS-84) and GeoJSON geometry (WGS-84)."""

    code: str
    county: str
    township_code: str
    township: str
    community: str
    area_km2: float
    lon: float
    lat: float
    geometry: Mapping[str, Any]
    generated: bool


@dataclass(frozen=True)
class Member:
    """A grid member's last report."""

    member_id: str
    grid_code: str
    status: str
    lon: float
    lat: float
    ts: datetime | None
    online: bool


@dataclass(frozen=True)
class GovState:
    """Everything the panels and the summary need, computed once."""

    cells: tuple[Cell, ...] = ()
    has_stats: bool = False
    now: datetime | None = None
    per_grid: Mapping[str, Counts] = field(default_factory=dict)
    categories: tuple[tuple[str, Counts], ...] = ()
    hours: tuple[datetime, ...] = ()
    reported_hours: tuple[int, ...] = ()
    closed_hours: tuple[int, ...] = ()
    yesterday_same_time: int = 0
    month_counts: Mapping[str, int] | None = None
    has_members: bool = False
    members: tuple[Member, ...] = ()

    @property
    def generated(self) -> bool:
        """True when any grid is generated (not an official division)."""
        return any(c.generated for c in self.cells)

    @property
    def city(self) -> Counts:
        """City-wide counts."""
        return total(self.per_grid.values())

    def by_county(self) -> dict[str, Counts]:
        """Counts per county adcode (the grid code's first 6 digits)."""
        out: dict[str, Counts] = {}
        for code, n in self.per_grid.items():
            out[code[:6]] = out.get(code[:6], Counts()) + n
        return out

    def by_township(self) -> dict[str, Counts]:
        """Counts per township code (the grid code's first 9 digits)."""
        out: dict[str, Counts] = {}
        for code, n in self.per_grid.items():
            out[code[:9]] = out.get(code[:9], Counts()) + n
        return out

    def rates(self) -> dict[str, Decimal | None]:
        """This month's workflow rates (empty when the period counts are missing)."""
        return case_rates(dict(self.month_counts)) if self.month_counts is not None else {}

    def members_by_county(self) -> dict[str, tuple[int, int]]:
        """(online, total) members per county."""
        out: dict[str, tuple[int, int]] = {}
        for m in self.members:
            on, n = out.get(m.grid_code[:6], (0, 0))
            out[m.grid_code[:6]] = (on + m.online, n + 1)
        return out


def counts_of(row: Mapping[str, Any]) -> Counts:
    """Counts from one SQL row."""
    return Counts(
        int(row.get("open") or 0),
        int(row.get("overdue") or 0),
        int(row.get("today") or 0),
        int(row.get("closed_today") or 0),
    )


def build_cells(data: Mapping[str, Any] | None) -> tuple[Cell, ...]:
    """The grids product as cells (empty when it has not been fetched)."""
    out = []
    for r in (data or {}).get("cells") or ():
        out.append(
            Cell(
                code=str(r["grid_code"]),
                county=str(r["county"]),
                township_code=str(r["township_code"]),
                township=str(r["township"]),
                community=str(r["community"]),
                area_km2=float(r["area_km2"]),
                lon=float(r["lon"]),
                lat=float(r["lat"]),
                geometry=r["geometry"],
                generated=bool(r.get("generated", True)),
            )
        )
    return tuple(out)


def _hours(
    data: Mapping[str, Any], now: datetime
) -> tuple[tuple[datetime, ...], tuple[int, ...], tuple[int, ...]]:
    """The last `trend_hours` hour starts, with reported and closed counts per hour."""
    n = int(data.get("trend_hours") or 24)
    top = now.replace(minute=0, second=0, microsecond=0)
    hours = tuple(top - timedelta(hours=n - 1 - i) for i in range(n))
    rep = {str(r["hour"]): int(r["n"]) for r in data.get("hourly_reported") or ()}
    clo = {str(r["hour"]): int(r["n"]) for r in data.get("hourly_closed") or ()}
    keys = [f"{h:%Y-%m-%d %H}" for h in hours]
    return hours, tuple(rep.get(k, 0) for k in keys), tuple(clo.get(k, 0) for k in keys)


def build_members(
    data: Mapping[str, Any] | None, o: Options, now: datetime | None
) -> tuple[Member, ...]:
    """Members with their effective online state (在线 and reported within the timeout)."""
    out = []
    limit = timedelta(minutes=o.member_timeout_min)
    for r in (data or {}).get("members") or ():
        ts = to_dt(r.get("ts"))
        fresh = ts is not None and (now is None or now - ts <= limit)
        out.append(
            Member(
                str(r["member_id"]),
                str(r["grid_code"]),
                str(r["status"]),
                float(r["lon"]),
                float(r["lat"]),
                ts,
                r["status"] == ONLINE and fresh,
            )
        )
    return tuple(out)


def build_state(products: Mapping[str, Any], o: Options, names: tuple[str, str, str]) -> GovState:
    """The whole scene state from the grids, stats and detail products (in that order)."""
    cells = build_cells(products.get(names[0]))
    stats = products.get(names[1]) or {}
    detail = products.get(names[2]) or {}
    now = to_dt(stats.get("now")) or to_dt(detail.get("now"))
    members = build_members(detail, o, now)
    if not stats or now is None:
        return GovState(
            cells=cells, now=now, has_members=bool(detail.get("members")), members=members
        )
    per_category = {str(r["category"]): counts_of(r) for r in stats.get("per_category") or ()}
    extra = sorted(c for c in per_category if c not in GRID_EVENT_CATEGORIES)
    hours, rep, clo = _hours(stats, now)
    month = (stats.get("periods") or {}).get("month")
    return GovState(
        cells=cells,
        has_stats=True,
        now=now,
        per_grid={
            str(r["grid_code"]): counts_of(r)
            for r in stats.get("per_grid") or ()
            if r.get("grid_code")
        },
        categories=tuple(
            (c, per_category.get(c, Counts())) for c in [*GRID_EVENT_CATEGORIES, *extra]
        ),
        hours=hours,
        reported_hours=rep,
        closed_hours=clo,
        yesterday_same_time=int(stats.get("yesterday_same_time") or 0),
        month_counts={k: int(month[k]) for k in COUNT_KEYS} if month else None,
        has_members=bool(detail.get("members")),
        members=members,
    )
