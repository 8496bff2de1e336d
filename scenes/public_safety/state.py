"""Pure aggregation of the 公共安全 products into one state the panels and the summary share.

Choices (documented in docs/public_safety.md):
- "Today" is the local day of the product's `now`; "较昨日同时" compares today's alarms so far
  with yesterday's up to the same clock time (a count done in SQL).
- Categories not in `alarm_categories` count as 其他.
- Spikes are checked for the running hour and the hour before, against the mean of the same
  hour on the previous `spike_days` days that have any alarm at all (a store that holds only two
  days of history does not average in empty days).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from indicators.public_safety import (
    Load,
    Spike,
    clearance_rate,
    detect_spike,
    load_status,
    online_rate,
)
from scenes.public_safety.options import Options

OTHER = "其他"
TREND_DAYS = 7


def to_dt(value: Any) -> datetime:
    """Accept the ISO strings the hub's JSON round trip produces, or datetimes."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class AlarmState:
    """Alarm aggregates for today and the days before."""

    now: datetime
    today: int
    yesterday_same_time: int
    by_category: tuple[tuple[str, int], ...]
    today_hours: tuple[int, ...]  # 0 .. current hour
    yesterday_hours: tuple[int, ...]  # 24 values
    days: tuple[date, ...]
    daily: Mapping[str, tuple[int, ...]]  # category -> count per day in `days`
    by_county: Mapping[str, int]
    spikes: tuple[tuple[int, Spike, str | None], ...] = ()  # (hour, spike, top county)
    grid: tuple[tuple[int, int, int], ...] = ()
    cell_deg: float = 0.02
    density_hours: int = 24


@dataclass(frozen=True)
class AreaRow:
    """One key area with its latest load."""

    area_id: str
    name: str
    kind: str
    county: str
    lon: float
    lat: float
    load: Load | None
    ts: datetime | None


@dataclass(frozen=True)
class CameraRow:
    """One county's camera status."""

    county: str
    total: int
    online: int
    rate: float | None


@dataclass(frozen=True)
class SafetyState:
    """Everything the panels and the summary need, computed once."""

    alarms: AlarmState | None = None
    areas: tuple[AreaRow, ...] = ()
    cameras: tuple[CameraRow, ...] = ()
    cases: tuple[int, int] | None = None  # (registered, solved) over the period
    case_days: int = 30


def _fold(category: str, shown: tuple[str, ...]) -> str:
    return category if category in shown else OTHER


def shown_categories(options: Options, seen: set[str]) -> tuple[str, ...]:
    """The configured categories, plus 其他 when folded categories occur."""
    cats = tuple(options.alarm_categories)
    return cats if OTHER in cats or not seen - set(cats) else (*cats, OTHER)


def _spikes(
    hourly: Mapping[str, int], county_hourly: list[Mapping[str, Any]], now: datetime, o: Options
) -> tuple[tuple[int, Spike, str | None], ...]:
    days_with_data = {h[:10] for h, n in hourly.items() if n}
    out = []
    current = now.replace(minute=0, second=0, microsecond=0)
    for hour_ts in (current - timedelta(hours=1), current):
        if hour_ts.date() != now.date():
            continue
        previous = []
        for d in range(1, o.spike_days + 1):
            past = hour_ts - timedelta(days=d)
            if f"{past:%Y-%m-%d}" in days_with_data:
                previous.append(hourly.get(f"{past:%Y-%m-%d %H}", 0))
        key = f"{hour_ts:%Y-%m-%d %H}"
        spike = detect_spike(hourly.get(key, 0), previous, k=o.spike_k, min_count=o.spike_min_count)
        if spike is not None:
            rows = [r for r in county_hourly if r["hour"] == key]
            top = max(rows, key=lambda r: (r["n"], r["county"]))["county"] if rows else None
            out.append((hour_ts.hour, spike, top))
    return tuple(out)


def build_alarms(data: Mapping[str, Any] | None, o: Options) -> AlarmState | None:
    """Aggregate the alarm product (None when it has not been fetched)."""
    if not data or data.get("now") is None:
        return None
    now = to_dt(data["now"])
    today = now.date()
    hourly = {str(r["hour"]): int(r["n"]) for r in data.get("hourly") or ()}
    y = today - timedelta(days=1)
    today_hours = tuple(hourly.get(f"{today:%Y-%m-%d} {h:02d}", 0) for h in range(now.hour + 1))
    yest_hours = tuple(hourly.get(f"{y:%Y-%m-%d} {h:02d}", 0) for h in range(24))
    daily_rows = data.get("daily") or ()
    shown = shown_categories(o, {str(r["category"]) for r in daily_rows})
    days = tuple(today - timedelta(days=i) for i in range(TREND_DAYS - 1, -1, -1))
    daily = {c: [0] * len(days) for c in shown}
    for r in daily_rows:
        i = (date.fromisoformat(str(r["day"])) - days[0]).days
        if 0 <= i < len(days):
            daily[_fold(str(r["category"]), shown)][i] += int(r["n"])
    by_category = tuple((c, daily[c][-1]) for c in shown)
    by_county: dict[str, int] = {}
    for r in data.get("county_hourly") or ():
        by_county[str(r["county"])] = by_county.get(str(r["county"]), 0) + int(r["n"])
    return AlarmState(
        now=now,
        today=sum(today_hours),
        yesterday_same_time=int(data.get("yesterday_same_time") or 0),
        by_category=by_category,
        today_hours=today_hours,
        yesterday_hours=yest_hours,
        days=days,
        daily={c: tuple(v) for c, v in daily.items()},
        by_county=by_county,
        spikes=_spikes(hourly, list(data.get("county_hourly") or ()), now, o),
        grid=tuple((int(r["gx"]), int(r["gy"]), int(r["n"])) for r in data.get("grid") or ()),
        cell_deg=float(data.get("cell_deg") or 0.02),
        density_hours=int(data.get("density_hours") or 24),
    )


def build_areas(data: Mapping[str, Any] | None, o: Options) -> tuple[AreaRow, ...]:
    """Key areas with their latest load, most loaded first (areas with no count last)."""
    if not data:
        return ()
    latest = {str(r["area_id"]): r for r in data.get("latest") or ()}
    rows = []
    for a in data.get("areas") or ():
        c = latest.get(str(a["area_id"]))
        load = (
            load_status(int(c["count"]), int(a["capacity"]), o.warn_ratio, o.over_ratio)
            if c
            else None
        )
        rows.append(
            AreaRow(
                str(a["area_id"]),
                str(a["name"]),
                str(a["kind"]),
                str(a["county"]),
                float(a["lon"]),
                float(a["lat"]),
                load,
                to_dt(c["ts"]) if c else None,
            )
        )
    return tuple(
        sorted(rows, key=lambda r: (r.load is None, -(r.load.ratio if r.load else 0), r.name))
    )


def build_state(
    products: Mapping[str, Any], o: Options, names: tuple[str, str, str]
) -> SafetyState:
    """The whole scene state from the three products (names: alarm, area and status product)."""
    status = products.get(names[2]) or {}
    cams = tuple(
        CameraRow(
            str(r["county"]),
            int(r["total"]),
            int(r["online"]),
            online_rate(int(r["total"]), int(r["online"])),
        )
        for r in status.get("cameras") or ()
    )
    case_rows = status.get("cases") or ()
    cases = (
        (sum(int(r["registered"]) for r in case_rows), sum(int(r["solved"]) for r in case_rows))
        if case_rows
        else None
    )
    return SafetyState(
        alarms=build_alarms(products.get(names[0]), o),
        areas=build_areas(products.get(names[1]), o),
        cameras=cams,
        cases=cases,
        case_days=int(status.get("case_days") or 30),
    )


def city_online(cams: tuple[CameraRow, ...]) -> tuple[float | None, int, int]:
    """City-wide online rate, online and total cameras."""
    total, online = sum(c.total for c in cams), sum(c.online for c in cams)
    return online_rate(total, online), online, total


def city_clearance(state: SafetyState) -> float | None:
    """City-wide 破案率 over the period (None without registered cases)."""
    return clearance_rate(*state.cases) if state.cases else None
