"""Load-test the wall's live polling: ours vs split collector vs a naive per-viewer baseline.

    python bench/viewers.py [--viewers 50 200] [--seconds 20] [--scene environment]
                            [--modes ours split naive]

Each mode runs the app under gunicorn (2 gevent workers, gunicorn.conf.py) on a temporary
SQLite store seeded with one simulated day, with the simulator feeding live readings, and
N simulated browsers POST the scene's live callback every refresh.browser_poll_s exactly like
the Dash renderer does. See docs/bench.md for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
if (VENV / "bin" / "python").exists() and Path(sys.prefix).resolve() != VENV.resolve():
    # `python bench/viewers.py` from outside the venv: re-run with the project's interpreter.
    os.execv(VENV / "bin" / "python", [str(VENV / "bin" / "python"), *sys.argv])
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.load import LiveCall, discover, first_view, run_viewers  # noqa: E402
from bench.procs import (  # noqa: E402
    ProcessSet,
    cpu_by_pid,
    cpu_delta,
    machine_busy_seconds,
    pids_named,
)
from bench.report import (  # noqa: E402
    ratios,
    ratios_table,
    results_table,
    run_details,
    summarize,
    write_json,
)
from bench.servers import (  # noqa: E402
    base_env,
    build_config,
    flush_redis,
    free_port,
    log_errors,
    log_offsets,
    seed,
    settle,
    start_mode,
    wait_healthz,
)

MODES = ("ours", "split", "naive")
RESULTS = ROOT / "bench" / "results" / "latest.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = p.add_argument
    add("--viewers", type=int, nargs="+", default=[50, 200], help="viewer counts (default: 50 200)")
    add("--seconds", type=float, default=20.0, help="load time per mode×N run (default: 20)")
    add("--scene", default="environment", help="scene to watch (default: environment)")
    add("--modes", nargs="+", choices=MODES, default=list(MODES), help="modes (default: all)")
    add("--redis-url", default="redis://127.0.0.1:6379/13", help="a Redis db the bench may FLUSH")
    add("--sim-interval", type=float, default=2.0, help="simulator.interval_s (default: 2)")
    add("--timeout", type=float, default=10.0, help="per-request timeout in s (default: 10)")
    add("--max-connections", type=int, default=256, help="client connection cap (default: 256)")
    add(
        "--out",
        type=Path,
        default=RESULTS,
        help="JSON results (default: bench/results/latest.json)",
    )
    add("--quiet-wait", type=float, default=10.0, help="max s to wait for a calm machine (10)")
    add("--keep", action="store_true", help="keep the temporary directory (DB, config, logs)")
    args = p.parse_args(argv)
    if any(n <= 0 for n in args.viewers) or args.seconds <= 0:
        p.error("--viewers and --seconds must be > 0")
    return args


def run_one(mode: str, n: int, args: argparse.Namespace, ctx: dict[str, Any]) -> dict[str, Any]:
    """One mode×N load run, measured."""
    procs: ProcessSet = ctx["procs"]
    offsets, workers = log_offsets(procs), procs.worker_pids("gunicorn")
    cpu0, client0, busy0 = procs.cpu_snapshot(), time.process_time(), machine_busy_seconds()
    stats, wall = asyncio.run(
        run_viewers(
            ctx["base"],
            ctx["call"],
            n,
            args.seconds,
            ctx["poll_s"],
            naive=mode == "naive",
            timeout_s=args.timeout,
            max_connections=args.max_connections,
        )
    )
    cpu1 = procs.cpu_snapshot()
    cpu = cpu_delta(cpu0, cpu1)
    client_cpu = time.process_time() - client0
    # Whatever else ran on the machine meanwhile (other people's tests, browsers) competes too.
    other_s = machine_busy_seconds() - busy0 - sum(cpu.values()) - client_cpu
    errors = log_errors(procs, offsets)
    return summarize(
        mode,
        n,
        stats,
        seconds=args.seconds,
        wall_s=wall,
        cpu=cpu,
        client_cpu_s=client_cpu,
        extra={
            "cpu_by_pid": cpu_by_pid(cpu0, cpu1),
            "other_load_cores": round(max(0.0, other_s) / wall, 2),
            "worker_restarts": len(workers - procs.worker_pids("gunicorn")),
            "log_errors": len(errors),
            "log_error_samples": errors[:5],
        },
    )


async def _discover(base: str, scene: str) -> LiveCall:
    async with httpx.AsyncClient(timeout=30.0) as client:
        return await discover(client, base, scene)


def run_mode(
    mode: str, args: argparse.Namespace, env: dict[str, str], base: str, tmp: Path
) -> list[dict[str, Any]]:
    """Start one mode's servers, run every N against them, and always stop them."""
    flush_redis(args.redis_url)
    procs = ProcessSet(tmp / mode)
    procs.log_dir.mkdir()
    # Snapshots live in Redis in ours/split, so its CPU is part of the server's cost.
    procs.watch("redis", pids_named("redis-server"))
    results = []
    try:
        began = time.monotonic()
        start_mode(procs, mode, env)
        wait_healthz(base, procs)
        call = asyncio.run(_discover(base, args.scene))
        token = asyncio.run(first_view(base, call))
        print(f"\n[{mode}] up in {time.monotonic() - began:.1f} s (first token {token})")
        ctx = {"procs": procs, "base": base, "call": call, "poll_s": args.poll_s}
        for n in args.viewers:
            other = settle(procs, quiet_wait_s=args.quiet_wait)
            if other >= 0.5:
                print(f"note: other processes still use {other:.1f} cores; measuring anyway")
            procs.check_alive()
            result = run_one(mode, n, args, ctx)
            results.append(result)
            print(results_table([result]))
            print(run_details(result), flush=True)
    finally:
        procs.stop_all()
    return results


def versions() -> dict[str, str]:
    """Versions of what the numbers depend on."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("dash", "plotly", "gunicorn", "gevent", "flask-compress", "httpx", "redis"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "?"
    return out


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def run_all(args: argparse.Namespace, tmp: Path) -> None:
    """Seed once, run every mode, print the summary and ratios, write the JSON."""
    config, args.poll_s = build_config(tmp, args.scene, args.sim_interval)
    port = free_port()
    env = base_env(tmp, config, args.redis_url, port)
    print(f"seeding 1 day into {env['DATABASE_URL']} …", flush=True)
    seed_s = seed(env)
    print(
        f"seeded in {seed_s:.1f} s; scene {args.scene}, viewers {args.viewers}, "
        f"{args.seconds:g} s each, poll {args.poll_s:g} s, simulator every {args.sim_interval:g} s",
        flush=True,
    )
    results = []
    for mode in args.modes:
        results += run_mode(mode, args, env, f"http://127.0.0.1:{port}", tmp)
    rows = ratios(results)
    print("\n## All runs\n" + results_table(results))
    if rows:
        print("\n## Ratios (same run)\n" + ratios_table(rows))
    write_json(
        args.out,
        {
            "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
            "versions": versions(),
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "seed_s": seed_s,
            "results": results,
            "ratios": rows,
        },
    )
    print(f"\nresults: {args.out}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; every started process is stopped on success, error or Ctrl-C."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    tmp = Path(tempfile.mkdtemp(prefix="cityops-bench-"))
    ok = False
    try:
        run_all(args, tmp)
        ok = True
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted: every started process was stopped", file=sys.stderr)
        return 130
    except (RuntimeError, TimeoutError, LookupError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None)
        tail = detail.decode(errors="replace")[-2000:] if detail else ""
        print(f"\nbench failed: {exc}\n{tail}", file=sys.stderr)
        return 1
    finally:
        if ok and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"temporary files (DB, config, logs): {tmp}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
