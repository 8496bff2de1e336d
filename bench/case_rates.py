"""Benchmark the case-workflow KPIs over one month of cases (default 100,000) on SQLite and
PostgreSQL: ours (aggregated in SQL) vs naive (every row of the month pulled into Python).

    python bench/case_rates.py [--cases 100000] [--days 30] [--repeat 5]
                               [--pg-url postgresql+psycopg://127.0.0.1:5432/test] [--skip-pg]

Cases are simulated with the real lifecycle generator (`data_sources.simulator.case_flow`) and
folded into `cases` rows with the real writer's `_apply`, so the milestone columns look like
production. "ours" is what the scenes run per refresh: `case_summary` (today's and the week's
counts, the month's per department — the ranking, summed for the month — and the open cases
past their deadline per department: four aggregate statements). "naive" selects every case the month touches and counts
in Python. Both must give the same counts (checked), and the naive/ours ratio is printed.
PostgreSQL data goes into a throw-away schema `bench_cases`, dropped afterwards.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
if (VENV / "bin" / "python").exists() and Path(sys.prefix).resolve() != VENV.resolve():
    os.execv(VENV / "bin" / "python", [str(VENV / "bin" / "python"), *sys.argv])
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from tqdm import tqdm  # noqa: E402

from bench.report import write_json  # noqa: E402
from data_sources.case_stats import COUNT_FIELDS, case_summary, combine, period_bounds  # noqa: E402
from data_sources.case_store import _apply, _new_case  # noqa: E402
from data_sources.datasets.cases import cases  # noqa: E402
from data_sources.simulator.case_flow import Profile, Shares, lifecycle  # noqa: E402
from data_sources.sql import SqlSource  # noqa: E402
from indicators.cases import FINISHED, State  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "case_rates.json"
NOW = datetime(2026, 11, 29, 20, 30)
PROFILES = (Profile(4, ("应急管理局",)), Profile(24, ("环卫处", "城管执法支队")), Profile(48, ("住建局", "交警支队")), Profile(72, ("园林绿化服务中心", "自来水公司")))  # fmt: skip
COUNTIES = ("371502", "371503", "371521", "371522", "371524", "371525", "371526", "371581")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--cases", type=int, default=100_000, help="cases reported over --days")
    p.add_argument("--days", type=int, default=30, help="days before NOW the cases span")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per method (median shown)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))  # fmt: skip
    p.add_argument("--skip-pg", action="store_true", help="SQLite only")
    return p.parse_args(argv)


def make_rows(n: int, days: int, seed: int = 7) -> list[dict[str, Any]]:
    """n case rows as the workflow writer would leave them at NOW."""
    rng = np.random.default_rng(seed)
    start = NOW - timedelta(days=days)
    offsets = np.sort(rng.uniform(0, days * 86400, n))
    rows = []
    for i in tqdm(range(n), desc="simulate cases", unit="case", mininterval=1.0):
        at = (start + timedelta(seconds=float(offsets[i]))).replace(microsecond=0)
        case = _new_case({
            "case_id": f"B{i:08d}", "source": "城管", "kind": "事件", "category": "市容环境",
            "subcategory": "暴露垃圾", "part_id": None, "grid_code": None,
            "county": COUNTIES[i % len(COUNTIES)], "lon": 116.0, "lat": 36.45, "reported_at": at,
        })  # fmt: skip
        crng = np.random.default_rng([seed, i])
        for step in lifecycle(crng, at, PROFILES[i % len(PROFILES)], Shares()):
            if step["ts"] > NOW:
                break
            case = _apply(case, step, State(step["state"]))
        rows.append(case)
    return rows


def load(store: SqlSource, rows: list[dict[str, Any]]) -> float:
    """Create the table and bulk-insert the rows; return seconds taken."""
    t = time.perf_counter()
    cases.metadata.create_all(store.engine, tables=[cases])
    with store.engine.begin() as conn:
        conn.execute(sa.delete(cases))
        for i in range(0, len(rows), 10_000):
            conn.execute(sa.insert(cases), rows[i : i + 10_000])
    return time.perf_counter() - t


def ours(store: SqlSource) -> dict[str, Any]:
    """What a refresh of the KPI product runs: periods, department ranking, overdue."""
    summary = case_summary(store, "城管", NOW)
    periods = {p: combine(raw, early=True) for p, raw in summary["periods"].items()}
    return {**summary, "periods": periods}


def naive(store: SqlSource) -> dict[str, Any]:
    """The same counts from every row the month touches, counted in Python."""
    month_a = period_bounds(NOW)["month"][0]
    stmt = sa.select(cases).where(
        cases.c.source == "城管",
        sa.or_(cases.c.updated_at >= month_a, cases.c.deadline >= month_a),
    )
    rows = store.fetch(stmt)
    out = {}
    for p, (a, b) in period_bounds(NOW).items():

        def inside(v: datetime | None, a: datetime = a, b: datetime = b) -> bool:
            return v is not None and a <= v <= b

        counts = dict.fromkeys(COUNT_FIELDS, 0)
        handled: list[float] = []
        for r in rows:
            accepted = inside(r["accepted_at"])  # one acceptance cohort, as case_stats counts
            counts["accepted"] += accepted
            counts["registered"] += accepted and r["registered_at"] is not None
            counts["dispatched"] += accepted and r["dispatched_at"] is not None
            due = r["state"] != State.CANCELLED.value and (
                inside(r["deadline"])
                or (inside(r["closed_at"]) and r["deadline"] is not None and r["deadline"] > b)
            )
            if due:
                counts["due"] += 1
                counts["closed"] += r["closed_at"] is not None
                counts["closed_ontime"] += r["closed_at"] is not None and r["closed_at"] <= r["deadline"]  # fmt: skip
                counts["rework"] += r["rework_count"] > 0
                counts["extended"] += r["extension_count"] > 0
            if inside(r["handled_at"]):
                handled.append((r["handled_at"] - r["dispatched_at"]).total_seconds())
        out[p] = {**counts, "handled": len(handled), "handling_s": statistics.fmean(handled) if handled else None}  # fmt: skip
    overdue: dict[str, int] = {}
    finished = {s.value for s in FINISHED} | {State.SUSPENDED.value}
    for r in store.fetch(sa.select(cases.c.department, cases.c.state, cases.c.deadline).where(cases.c.source == "城管")):  # fmt: skip
        if r["state"] not in finished and r["deadline"] is not None and r["deadline"] < NOW:
            overdue[r["department"]] = overdue.get(r["department"], 0) + 1
    return {"periods": out, "overdue": overdue}


def timed(fn: Any, store: SqlSource, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn(store)
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def check_same(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Ours and naive must agree (counts exactly, mean handling time to 1 s)."""
    for p, counts in a["periods"].items():
        for k in (*COUNT_FIELDS, "handled"):
            if counts[k] != b["periods"][p][k]:
                raise SystemExit(f"mismatch {p}.{k}: ours {counts[k]} naive {b['periods'][p][k]}")
        x, y = counts["handling_s"], b["periods"][p]["handling_s"]
        if (x is None) != (y is None) or (x is not None and abs(x - y) > 1):
            raise SystemExit(f"mismatch {p}.handling_s: ours {x} naive {y}")
    if {r["department"]: r["n"] for r in a["overdue"]} != b["overdue"]:
        raise SystemExit("mismatch overdue by department")


def run(name: str, store: SqlSource, rows: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    print(f"{name}: loading {len(rows):,} cases …", flush=True)
    load_s = load(store, rows)
    ours(store)  # warm caches and the statement cache once for both
    t_ours, r_ours = timed(ours, store, repeat)
    t_naive, r_naive = timed(naive, store, repeat)
    check_same(r_ours, r_naive)
    month = r_ours["periods"]["month"]
    print(
        f"{name}: load {load_s:.1f} s · ours {t_ours * 1000:.0f} ms · naive {t_naive * 1000:.0f} ms · "
        f"naive/ours {t_naive / t_ours:.1f}× · month due {month['due']:,} closed {month['closed']:,}",
        flush=True,
    )
    return {"load_s": load_s, "ours_s": t_ours, "naive_s": t_naive, "ratio": t_naive / t_ours, "month": month}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Simulate, load, time and compare on each store."""
    args = parse_args(argv)
    rows = make_rows(args.cases, args.days)
    results: dict[str, Any] = {"cases": args.cases, "days": args.days, "now": NOW.isoformat()}
    with tempfile.TemporaryDirectory() as tmp:
        store = SqlSource("bench", f"sqlite:///{tmp}/cases.db")
        try:
            results["sqlite"] = run("sqlite", store, rows, args.repeat)
        finally:
            store.close()
    if not args.skip_pg:
        admin = sa.create_engine(args.pg_url)
        with admin.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS bench_cases CASCADE; CREATE SCHEMA bench_cases"))  # fmt: skip
        sep = "&" if "?" in args.pg_url else "?"
        store = SqlSource("bench", f"{args.pg_url}{sep}options=-csearch_path%3Dbench_cases")
        try:
            results["postgresql"] = run("postgresql", store, rows, args.repeat)
        finally:
            store.close()
            with admin.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA IF EXISTS bench_cases CASCADE"))
            admin.dispose()
    write_json(RESULTS, results)
    print(f"results: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
