"""Urban traffic indicators per GB/T 33171-2016 (城市交通运行状况评价规范), pure and exact.

What is CONFIRMED (secondary, see shared docs/standards.md §2) and encoded as the standard:
- §8.1 segment grade by v/vf: > 0.7 畅通, (0.5, 0.7] 基本畅通, (0.4, 0.5] 轻度拥堵,
  (0.3, 0.4] 中度拥堵, <= 0.3 严重拥堵;
- §7.2.2.1 TTI = t̄ / t_free (1 when t̄ < t_free); §7.2.2.2 DTP = (t̄ − t_free) / t̄ (0 when
  t̄ < t_free); §7.2.2.3 grade mileage share; §8.2 TPI levels [0,2) … [8,10].

Conventions (UNCONFIRMED in the standard, documented and configurable):
- network TTI/DTP are **mileage-weighted** means of the segments' values (§7.2.2.4 cites
  GB/T 29107 Annex A weighting, which was not available);
- Annex C DTP -> TPI uses the band edges 0.3/0.5/0.6/0.7 mapped to TPI 2/4/6/8 with linear
  interpolation inside a band (`tpi_from_dtp(bands=...)`; the scene passes its configured edges);
- grade colours: Annex D was not found, so `GRADE_COLORS` is a display convention
  (green -> dark red); text labels always accompany them.

Edges are compared with `Fraction`s built from each number's decimal form, so 35/50 is exactly
0.7 (基本畅通) and 2.1/3 is 0.7 too, never 0.7000000000000001.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from numbers import Rational, Real

#: The five grades, best first (§8.1 for segments, §8.2 for the network).
GRADES: tuple[str, ...] = ("畅通", "基本畅通", "轻度拥堵", "中度拥堵", "严重拥堵")

#: Display convention (Annex D NOT FOUND): green -> yellow-green -> yellow -> orange -> dark red.
GRADE_COLORS: Mapping[str, str] = {
    "畅通": "#2DB84C",
    "基本畅通": "#9ACD32",
    "轻度拥堵": "#F2C200",
    "中度拥堵": "#F07C1E",
    "严重拥堵": "#B0122B",
}

#: §8.1 lower edges of v/vf for 畅通, 基本畅通, 轻度拥堵, 中度拥堵 (exclusive: v/vf must exceed them).
SPEED_RATIO_EDGES: tuple[Fraction, ...] = (
    Fraction(7, 10),
    Fraction(1, 2),
    Fraction(2, 5),
    Fraction(3, 10),
)

#: Annex C convention: DTP edges that map to TPI 2, 4, 6, 8 (UNCONFIRMED against the annex).
DEFAULT_TPI_DTP_EDGES: tuple[float, float, float, float] = (0.3, 0.5, 0.6, 0.7)
#: §8.2 TPI band lower edges of 基本畅通 … 严重拥堵.
TPI_LEVEL_EDGES: tuple[int, ...] = (2, 4, 6, 8)
TPI_MAX = 10


def _exact(
    name: str, value: object, *, minimum: Fraction | None = None, positive: bool = False
) -> Fraction:
    """A finite real as an exact Fraction of its decimal form; ValueError names the argument."""
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise ValueError(f"{name} must be a number (got {value!r})")
    if isinstance(value, Rational):
        exact = Fraction(value)
    else:
        if not math.isfinite(float(value)):
            raise ValueError(f"{name} must be finite (got {value!r})")
        exact = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    if positive and exact <= 0:
        raise ValueError(f"{name} must be > 0 (got {value!r})")
    if minimum is not None and exact < minimum:
        raise ValueError(f"{name} must be >= {minimum} (got {value!r})")
    return exact


def speed_ratio(speed_kmh: float, free_flow_kmh: float) -> Fraction:
    """v / vf as an exact Fraction (validated: speed >= 0, free flow > 0)."""
    v = _exact("speed_kmh", speed_kmh, minimum=Fraction(0))
    vf = _exact("free_flow_kmh", free_flow_kmh, positive=True)
    return v / vf


def segment_grade(speed_kmh: float, free_flow_kmh: float) -> str:
    """§8.1 grade of a segment from its average travel speed and free-flow speed."""
    ratio = speed_ratio(speed_kmh, free_flow_kmh)
    for grade, edge in zip(GRADES, SPEED_RATIO_EDGES, strict=False):
        if ratio > edge:
            return grade
    return GRADES[-1]


def _times(travel_time_s: float, free_time_s: float) -> tuple[Fraction, Fraction]:
    t = _exact("travel_time_s", travel_time_s, minimum=Fraction(0))
    t_free = _exact("free_time_s", free_time_s, positive=True)
    return t, t_free


def tti(travel_time_s: float, free_time_s: float) -> float:
    """§7.2.2.1 travel-time index t̄ / t_free; 1 when the trip is faster than free flow."""
    t, t_free = _times(travel_time_s, free_time_s)
    return 1.0 if t < t_free else float(t / t_free)


def dtp(travel_time_s: float, free_time_s: float) -> float:
    """§7.2.2.2 delay-time proportion (t̄ − t_free) / t̄; 0 when faster than free flow."""
    t, t_free = _times(travel_time_s, free_time_s)
    return 0.0 if t <= t_free else float((t - t_free) / t)


SegmentReading = tuple[float, float | None, float]  # (length_m, speed_kmh or None, free_flow_kmh)


def _segment_times(
    length_m: float, speed_kmh: float, free_flow_kmh: float
) -> tuple[Fraction, Fraction] | None:
    """(t̄, t_free) in seconds over the segment, exactly; None when it is stopped (v = 0)."""
    length = _exact("length_m", length_m, positive=True)
    v = _exact("speed_kmh", speed_kmh, minimum=Fraction(0))
    vf = _exact("free_flow_kmh", free_flow_kmh, positive=True)
    if v == 0:
        return None
    return length * Fraction(36, 10) / v, length * Fraction(36, 10) / vf


def segment_dtp(length_m: float, speed_kmh: float, free_flow_kmh: float) -> float:
    """DTP of one segment from its speeds; a stopped segment (v = 0) is fully delayed (1)."""
    times = _segment_times(length_m, speed_kmh, free_flow_kmh)
    return 1.0 if times is None else dtp(*times)


def segment_tti(length_m: float, speed_kmh: float, free_flow_kmh: float) -> float | None:
    """TTI of one segment from its speeds; None when it is stopped (infinite travel time)."""
    times = _segment_times(length_m, speed_kmh, free_flow_kmh)
    return None if times is None else tti(*times)


def _with_data(segments: Iterable[SegmentReading]) -> list[tuple[float, float, float]]:
    return [(length, v, vf) for length, v, vf in segments if v is not None]


def network_dtp(segments: Iterable[SegmentReading]) -> float | None:
    """Mileage-weighted DTP of the segments with a speed (convention; None if none has one)."""
    rows = _with_data(segments)
    total = sum(Fraction(str(length)) for length, _, _ in rows)
    if not rows or total == 0:
        return None
    weighted = sum(
        Fraction(str(length)) * Fraction(segment_dtp(length, v, vf)) for length, v, vf in rows
    )
    return float(weighted / total)


def network_tti(segments: Iterable[SegmentReading]) -> float | None:
    """Mileage-weighted TTI of the moving segments (stopped ones have no finite TTI)."""
    rows = [(length, v, vf) for length, v, vf in _with_data(segments) if v > 0]
    total = sum(Fraction(str(length)) for length, _, _ in rows)
    if not rows or total == 0:
        return None
    weighted = sum(
        Fraction(str(length)) * Fraction(segment_tti(length, v, vf) or 1) for length, v, vf in rows
    )
    return float(weighted / total)


def grade_mileage_shares(segments: Iterable[SegmentReading]) -> dict[str, float]:
    """§7.2.2.3 share of mileage in each grade (0..1, every grade present) over segments with data."""
    rows = _with_data(segments)
    total = sum(Fraction(str(length)) for length, _, _ in rows)
    per = dict.fromkeys(GRADES, Fraction(0))
    for length, v, vf in rows:
        per[segment_grade(v, vf)] += Fraction(str(length))
    return {g: float(m / total) if total else 0.0 for g, m in per.items()}


def _check_bands(bands: Sequence[float]) -> list[Fraction]:
    if len(bands) != 4:
        raise ValueError(f"bands must be 4 DTP edges for TPI 2/4/6/8 (got {list(bands)!r})")
    edges = [_exact("bands", b) for b in bands]
    if not (0 < edges[0] < edges[1] < edges[2] < edges[3] < 1):
        raise ValueError(f"bands must increase strictly inside (0, 1) (got {list(bands)!r})")
    return edges


def tpi_from_dtp(value: float, bands: Sequence[float] = DEFAULT_TPI_DTP_EDGES) -> float:
    """Annex C convention: network DTP -> TPI 0..10, linear inside each band (edges -> 2/4/6/8)."""
    d = _exact("dtp", value, minimum=Fraction(0))
    if d > 1:
        raise ValueError(f"dtp must be <= 1 (got {value!r})")
    knots = [Fraction(0), *_check_bands(bands), Fraction(1)]
    for i in range(5):
        lo, hi = knots[i], knots[i + 1]
        if d < hi or i == 4:
            return float(2 * i + 2 * (d - lo) / (hi - lo))
    raise AssertionError("unreachable")  # pragma: no cover


def tpi_level(tpi: float) -> str:
    """§8.2 level name of a TPI: [0,2) 畅通 … [8,10] 严重拥堵."""
    value = _exact("tpi", tpi, minimum=Fraction(0))
    if value > TPI_MAX:
        raise ValueError(f"tpi must be <= {TPI_MAX} (got {tpi!r})")
    for grade, edge in zip(GRADES, TPI_LEVEL_EDGES, strict=False):
        if value < edge:
            return grade
    return GRADES[-1]


def grade_color(grade: str) -> str:
    """Display colour of a grade or TPI level (convention, see GRADE_COLORS)."""
    return GRADE_COLORS[grade]
