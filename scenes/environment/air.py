"""Pure air-quality aggregation for the 生态环境 scene: station, county and city AQI.

Choices (documented for operators):
- City and county concentrations are the arithmetic mean of their stations' values for the
  hour, and their AQI is computed from those means (how HJ 663 builds a city value), not the
  mean of station AQIs.
- Hourly AQI uses `period="hourly"` on the 1-hour values. "Today's AQI so far" uses
  `period="daily"` on the means of today's city hourly means and the O3 8-hour maximum over
  windows inside today with >= 6 of 8 hours (HJ 663); it is provisional until
  `daily_min_hours` (default 20, the HJ 663 daily completeness) hours are present.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Any

from indicators.air_limits import Exceedance, exceedances
from indicators.aqi import AqiResult, compute_aqi

POLLUTANTS = ("so2", "no2", "co", "o3", "pm10", "pm25")
HOUR = timedelta(hours=1)
Values = dict[str, float | None]


def to_dt(value: Any) -> datetime:
    """Accept the ISO strings the hub's JSON round trip produces, or datetimes."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def mean_values(rows: Iterable[Mapping[str, Any]]) -> Values:
    """Per-pollutant mean over the rows that report it (None when none do)."""
    rows = list(rows)
    out: Values = {}
    for p in POLLUTANTS:
        vals = [float(r[p]) for r in rows if r.get(p) is not None]
        out[p] = fmean(vals) if vals else None
    return out


def hourly_aqi(values: Mapping[str, float | None], standard: str) -> AqiResult:
    """HJ 633 real-time AQI from 1-hour concentrations."""
    return compute_aqi(
        {f"{p}_1h": values.get(p) for p in POLLUTANTS}, standard=standard, period="hourly"
    )


def o3_8h_max(series: Mapping[datetime, float | None], day: date) -> float | None:
    """Max 8-hour moving mean of O3 over windows ending 07:00–23:00 of `day` (>= 6 values)."""
    best: float | None = None
    for end_hour in range(7, 24):
        end = datetime.combine(day, datetime.min.time()) + timedelta(hours=end_hour)
        window = [series.get(end - k * HOUR) for k in range(8)]
        vals = [v for v in window if v is not None]
        if len(vals) >= 6:
            best = max(best or 0.0, fmean(vals))
    return best


def daily_inputs(
    hours: Sequence[Values], o3_by_hour: Mapping[datetime, float | None], day: date, standard: str
) -> dict[str, float | None]:
    """Build `compute_aqi(period="daily")` inputs from a day's hourly values."""
    means = mean_values(hours)
    out: dict[str, float | None] = {
        f"{p}_24h": means[p] for p in ("so2", "no2", "co", "pm10", "pm25")
    }
    out["o3_8h_max"] = o3_8h_max(o3_by_hour, day)
    if standard == "HJ633-2012":
        o3 = [v for v in o3_by_hour.values() if v is not None]
        out["o3_1h_max"] = max(o3) if o3 else None
    return out


@dataclass(frozen=True)
class Station:
    """One station at the current hour."""

    station_id: str
    name: str
    county: str
    lon: float
    lat: float
    values: Values | None
    aqi: AqiResult | None


@dataclass(frozen=True)
class AirState:
    """Everything the air panels and the summary need, computed once."""

    hour: datetime | None
    stations: tuple[Station, ...] = ()
    city: AqiResult | None = None
    city_values: Values = field(default_factory=dict)
    counties: Mapping[str, tuple[AqiResult, Values]] = field(default_factory=dict)
    series: tuple[tuple[datetime, AqiResult, Values], ...] = ()
    yesterday: tuple[AqiResult, Values] | None = None
    today: AqiResult | None = None
    today_hours: int = 0
    exceed: tuple[tuple[Station, Exceedance], ...] | None = ()


def _index(readings: Iterable[Mapping[str, Any]]) -> dict[str, dict[datetime, dict[str, Any]]]:
    by_station: dict[str, dict[datetime, dict[str, Any]]] = {}
    for r in readings:
        by_station.setdefault(str(r["station_id"]), {})[to_dt(r["ts"])] = dict(r)
    return by_station


def _station_exceedances(
    rows: Mapping[datetime, Mapping[str, Any]], hour: datetime, grade: int
) -> list[Exceedance]:
    """GB 3095 checks for today so far: 1-hour maxima and running daily means."""
    today = [r for ts, r in rows.items() if ts.date() == hour.date() and ts <= hour]
    if not today:
        return []
    means = mean_values(today)
    values: dict[str, float | None] = {
        f"{p}_24h": means[p] for p in ("so2", "no2", "co", "pm10", "pm25")
    }
    for p in ("so2", "no2", "co", "o3"):
        vals = [float(r[p]) for r in today if r.get(p) is not None]
        values[f"{p}_1h"] = max(vals) if vals else None
    values["o3_8h_max"] = o3_8h_max({ts: r.get("o3") for ts, r in rows.items()}, hour.date())
    # Compare reported precision (µg/m³ integers, CO 0.1 mg/m³; half-even as GB/T 8170), so a
    # shown "60" is never flagged against a limit of 60.
    rounded = {
        k: None if v is None else round(v, 1 if k.startswith("co") else 0)
        for k, v in values.items()
    }
    return exceedances(rounded, on=hour.date(), grade=grade)


def build_air(
    data: Mapping[str, Any] | None, *, standard: str, trend_hours: int, grade: int
) -> AirState:
    """Aggregate the `env_air` product into an AirState (empty when there is no reading)."""
    if not data or not data.get("readings"):
        return AirState(hour=None)
    by_station = _index(data["readings"])
    hour = max(ts for rows in by_station.values() for ts in rows)
    stations = []
    for s in data.get("stations") or ():
        rows = by_station.get(str(s["station_id"]), {})
        row = rows.get(hour) or rows.get(hour - HOUR)  # a station may lag one hour
        vals = {p: row.get(p) for p in POLLUTANTS} if row else None
        stations.append(
            Station(
                str(s["station_id"]),
                s["name"],
                str(s["county"]),
                float(s["lon"]),
                float(s["lat"]),
                vals,
                hourly_aqi(vals, standard) if vals else None,
            )
        )
    at_hour = {
        ts: mean_values(r[ts] for r in by_station.values() if ts in r)
        for ts in {t for rows in by_station.values() for t in rows}
    }
    now_vals = at_hour[hour]
    counties = {}
    for code in sorted({s.county for s in stations}):
        rows = [st.values for st in stations if st.county == code and st.values]
        if rows:
            vals = mean_values(rows)
            counties[code] = (hourly_aqi(vals, standard), vals)
    series = tuple(
        (ts, hourly_aqi(at_hour[ts], standard), at_hour[ts])
        for ts in sorted(at_hour)
        if ts > hour - trend_hours * HOUR
    )
    past = at_hour.get(hour - 24 * HOUR)
    today_hours = [v for ts, v in at_hour.items() if ts.date() == hour.date()]
    o3_series = {ts: v["o3"] for ts, v in at_hour.items()}
    daily = compute_aqi(
        daily_inputs(
            today_hours,
            {t: v for t, v in o3_series.items() if t.date() == hour.date()},
            hour.date(),
            standard,
        ),
        standard=standard,
        period="daily",
    )
    names = {s.station_id: s for s in stations}
    try:
        exceed = tuple(
            (names[sid], e)
            for sid, rows in by_station.items()
            if sid in names
            for e in _station_exceedances(rows, hour, grade)
        )
    except ValueError:  # GB 3095-2026 did not apply yet on this date
        exceed = None
    return AirState(
        hour,
        tuple(stations),
        hourly_aqi(now_vals, standard),
        now_vals,
        counties,
        series,
        (hourly_aqi(past, standard), past) if past else None,
        daily,
        len(today_hours),
        exceed,
    )
