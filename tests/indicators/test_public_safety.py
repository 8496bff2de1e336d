"""Pure public-safety indicators: rates, load status edges, spikes and grid cells."""

from __future__ import annotations

import math

import pytest

from indicators.public_safety import (
    band_of,
    cell_bounds,
    clearance_rate,
    detect_spike,
    grid_counts,
    grid_index,
    load_status,
    online_rate,
)


def test_clearance_rate_is_solved_over_registered() -> None:
    assert clearance_rate(200, 123) == pytest.approx(61.5)
    assert clearance_rate(3, 3) == 100.0
    assert clearance_rate(0, 0) is None  # nothing registered: no rate, not 0 %


@pytest.mark.parametrize(("registered", "solved"), [(3, 4), (-1, 0), (5, -1)])
def test_clearance_rate_refuses_impossible_counts(registered: int, solved: int) -> None:
    with pytest.raises(ValueError):
        clearance_rate(registered, solved)


def test_online_rate() -> None:
    assert online_rate(1200, 1164) == pytest.approx(97.0)
    assert online_rate(0, 0) is None
    with pytest.raises(ValueError, match="exceeds"):
        online_rate(10, 11)


@pytest.mark.parametrize(
    ("count", "status", "level", "percent"),
    [
        (0, "正常", None, 0),
        (799, "正常", None, 80),  # 79.9 % shows as 80 % but is not yet 预警
        (800, "预警", 3, 80),
        (999, "预警", 3, 100),
        (1000, "超限", 2, 100),
        (1534, "超限", 2, 153),
    ],
)
def test_load_status_edges_are_inclusive(
    count: int, status: str, level: int | None, percent: int
) -> None:
    load = load_status(count, 1000)
    assert (load.status, load.alert_level, load.percent) == (status, level, percent)


def test_load_status_thresholds_are_configurable_and_checked() -> None:
    assert load_status(700, 1000, warn_ratio=0.7, over_ratio=0.9).status == "预警"
    assert load_status(900, 1000, warn_ratio=0.7, over_ratio=0.9).status == "超限"
    with pytest.raises(ValueError, match="capacity"):
        load_status(1, 0)
    with pytest.raises(ValueError, match="warn_ratio"):
        load_status(1, 10, warn_ratio=1.0, over_ratio=0.8)
    with pytest.raises(ValueError, match="count"):
        load_status(-1, 10)


def test_spike_needs_k_times_the_mean_and_a_minimum_count() -> None:
    previous = [10, 12, 8, 10, 10, 12, 8]  # mean 10
    assert detect_spike(15, previous, k=1.5, min_count=10) is None  # not above 1.5 × 10
    spike = detect_spike(16, previous, k=1.5, min_count=10)
    assert spike is not None and (spike.count, spike.baseline, spike.factor) == (16, 10.0, 1.6)
    assert detect_spike(4, [1, 1, 1], k=1.5, min_count=10) is None  # quiet night hour
    assert detect_spike(30, [], k=1.5, min_count=10) is None  # no baseline yet
    zero = detect_spike(12, [0, 0], k=1.5, min_count=10)
    assert zero is not None and math.isinf(zero.factor)


def test_grid_index_floors_degrees_also_below_zero() -> None:
    assert grid_index(115.985, 36.457, 0.02) == (5799, 1822)
    assert grid_index(-0.01, 0.03, 0.02) == (-1, 1)
    assert cell_bounds(5799, 1822, 0.02) == pytest.approx((115.98, 36.44, 116.0, 36.46))
    assert grid_counts([(115.985, 36.457), (115.99, 36.459), (116.01, 36.457)], 0.02) == {
        (5799, 1822): 2,
        (5800, 1822): 1,
    }
    with pytest.raises(ValueError):
        grid_index(1, 1, 0)


def test_band_of_uses_inclusive_upper_edges() -> None:
    edges = (1, 2, 4, 7)
    assert [band_of(v, edges) for v in (1, 2, 3, 4, 5, 7, 8, 50)] == [0, 1, 2, 2, 3, 3, 4, 4]
