"""Benchmark the 交通运行 map with 50,000 vehicle positions: ours (grid + Patch) vs naive (raw points).

    python bench/traffic_vehicles.py [--vehicles 50000] [--viewers 5] [--seconds 24]
                                     [--ingest-every 6] [--modes ours naive] [--skip-http]

Part 1, in process (same code, no HTTP): ingest 50k GPS fixes through IngestService, then time
the scene's fetch and `build_view` with the default `max_points` (vehicles aggregated into grid
cells) and with `max_points` above the fleet (every vehicle a raw point, the naive figure), and
size the map panel's first load and its per-tick update (a `Patch` of the changed trace keys vs
the whole figure again).

Part 2, over HTTP (gunicorn, 2 gevent workers, Redis, SQLite seeded with one day): N viewers
poll the scene's live callback every `refresh.browser_poll_s` while this process POSTs a fresh
50k-vehicle batch to `/api/v1/ingest/traffic_vehicles` every `--ingest-every` s. "ours" is the
real app (the hub renders once per ingest; polls get 204 or a Patch); "naive" is
`bench.naive_app` with `max_points` above the fleet (each poll queries, rebuilds the full figure
with 50k raw points and sends it). Update latency = from the end of an ingest POST to the end of
each viewer's first poll that shows it. Ratios naive/ours are printed in the same run.
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
import asyncio  # noqa: E402
import gzip  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import orjson  # noqa: E402
import yaml  # noqa: E402

from bench.load import HEADERS, LiveCall, discover, token_of, version_ms  # noqa: E402
from bench.procs import ProcessSet, cpu_delta, pids_named  # noqa: E402
from bench.report import percentile, table, write_json  # noqa: E402
from bench.servers import base_env, flush_redis, free_port, seed, venv_bin, wait_healthz  # noqa: E402
from data_sources.hub import now_local  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "traffic_vehicles.json"
KEY = "bench-ingest-key"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add = p.add_argument
    add("--vehicles", type=int, default=50_000, help="vehicle positions per batch (50000)")
    add("--viewers", type=int, default=5, help="simulated browsers per mode (5)")
    add("--seconds", type=float, default=24.0, help="load time per mode (24)")
    add("--ingest-every", type=float, default=6.0, help="s between vehicle batches (6)")
    add("--modes", nargs="+", choices=("ours", "naive"), default=["ours", "naive"])
    add("--redis-url", default="redis://127.0.0.1:6379/13", help="a Redis db the bench may FLUSH")
    add("--skip-http", action="store_true", help="only the in-process part")
    add("--out", type=Path, default=RESULTS)
    add("--keep", action="store_true", help="keep the temporary directory")
    return p.parse_args(argv)


def _kb(n: float | None) -> str:
    return "—" if n is None else f"{n / 1024:,.1f}"


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


# Part 1 ------------------------------------------------------------------------------------


def in_process(n: int, tmp: Path) -> dict[str, Any]:
    """Ingest, fetch and render costs and map payloads, measured in this process."""
    from data_sources.area import city_area
    from data_sources.datasets import metadata
    from data_sources.hub import fingerprint
    from data_sources.ingest import Checks, IngestService
    from data_sources.memory import MemoryBackend
    from data_sources.simulator.traffic import TrafficSim
    from data_sources.sql import SqlSource
    from scenes.base import RenderContext
    from scenes.render import map_style
    from scenes.traffic import SCENE
    from scenes.traffic.mapfig import map_figure
    from scenes.traffic.options import Options
    from scenes.traffic.queries import fetch_live, fetch_network
    from scenes.traffic.transform import state_of
    from wall.geo import load_geo
    from wall.live import diff_panel

    city = yaml.safe_load((ROOT / "config/default.yaml").read_text(encoding="utf-8"))["city"]
    geo = load_geo(ROOT / city["boundary"], name_field=city["name_field"], code_field=city["code_field"], center=tuple(city["center"]), zoom=city["zoom"], tolerance=city["simplify_tolerance"])  # fmt: skip
    source = SqlSource("citydb", f"sqlite:///{tmp / 'inproc.db'}")
    source.create_tables(metadata)
    ingest = IngestService(
        source, MemoryBackend(), Checks(area=city_area(city["name"], geo.counties, 5.0))
    )
    sim = TrafficSim(20191, n)
    now = now_local().replace(microsecond=0)
    for name, records in [*sim.reference(geo), *sim.live(geo, now)[:1]]:
        ingest.ingest(name, records)
    out: dict[str, Any] = {"vehicles": n}
    batches = [orjson.loads(orjson.dumps(sim.vehicle_records(now + timedelta(seconds=5 * k)))) for k in range(2)]  # fmt: skip
    t0 = time.perf_counter()
    accepted = ingest.ingest("traffic_vehicles", batches[0]).accepted
    out["ingest_s"] = time.perf_counter() - t0
    out["accepted"] = accepted
    t0 = time.perf_counter()
    net = orjson.loads(orjson.dumps(fetch_network(source, now=now), option=orjson.OPT_NON_STR_KEYS))
    out["fetch_network_s"] = time.perf_counter() - t0

    def live_at(at: datetime) -> tuple[dict, float]:
        t = time.perf_counter()
        data = orjson.loads(
            orjson.dumps(fetch_live(source, now=at), option=orjson.OPT_NON_STR_KEYS)
        )
        return data, time.perf_counter() - t

    live0, out["fetch_live_s"] = live_at(now)
    ingest.ingest("traffic_vehicles", batches[1])
    live1, _ = live_at(now + timedelta(seconds=5))
    ctx = RenderContext(city_name=city["name"], geo=geo, map_style=map_style("#07182b"), now=now)
    for mode, options in (
        ("ours", Options(vehicles=n)),
        ("naive", Options(vehicles=n, max_points=n + 1)),
    ):
        v0 = SCENE.build_view({"traffic_net": net, "traffic_live": live0}, options, ctx)  # warm
        products = {"traffic_net": net, "traffic_live": live1}
        t = time.perf_counter()
        v1 = SCENE.build_view(products, options, ctx)
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        orjson.dumps(map_figure(state_of(products, options, ctx), ctx, options))
        map_s = time.perf_counter() - t
        first = orjson.dumps(v0["map"])
        if mode == "ours":
            update = diff_panel(v1["map"], fingerprint(v1["map"]), fingerprint(v0["map"]))
            upd = orjson.dumps(
                update.to_plotly_json() if hasattr(update, "to_plotly_json") else update
            )
        else:
            upd = orjson.dumps(v1["map"])  # the naive baseline resends the whole figure
        out[mode] = {
            "build_view_s": build_s,
            "map_build_s": map_s,
            "map_first_bytes": len(first),
            "map_first_gzip": _gz(first),
            "map_update_bytes": len(upd),
            "map_update_gzip": _gz(upd),
            "map_points": sum(
                len(t.get("lon") or ()) for t in v0["map"]["data"][1:3] + v0["map"]["data"][9:10]
            ),  # fmt: skip
        }
    source.close()
    return out


def print_in_process(r: dict[str, Any]) -> None:
    """The part-1 table with naive/ours ratios."""
    o, nv = r["ours"], r["naive"]

    def ratio(key: str) -> str:
        return f"{nv[key] / o[key]:,.1f}×" if o[key] else "—"

    rows = [
        [
            "map first load, KB (gzip)",
            f"{_kb(o['map_first_bytes'])} ({_kb(o['map_first_gzip'])})",
            f"{_kb(nv['map_first_bytes'])} ({_kb(nv['map_first_gzip'])})",
            ratio("map_first_bytes"),
        ],  # fmt: skip
        [
            "map update per tick, KB (gzip)",
            f"{_kb(o['map_update_bytes'])} ({_kb(o['map_update_gzip'])})",
            f"{_kb(nv['map_update_bytes'])} ({_kb(nv['map_update_gzip'])})",
            ratio("map_update_bytes"),
        ],  # fmt: skip
        [
            "vehicle marks drawn",
            f"{o['map_points']:,} cells",
            f"{nv['map_points']:,} points",
            ratio("map_points"),
        ],  # fmt: skip
        [
            "map panel build + JSON, ms",
            f"{1000 * o['map_build_s']:,.0f} once per tick",
            f"{1000 * nv['map_build_s']:,.0f} per viewer per tick",
            ratio("map_build_s"),
        ],
        [
            "build_view (whole scene), ms",
            f"{1000 * o['build_view_s']:,.0f} once per tick",
            f"{1000 * nv['build_view_s']:,.0f} per viewer per tick",
            ratio("build_view_s"),
        ],  # fmt: skip
    ]
    print(f"\n## In process: {r['vehicles']:,} vehicles (ingest {r['ingest_s']:.2f} s, fetch_live {1000 * r['fetch_live_s']:.0f} ms, fetch_network {1000 * r['fetch_network_s']:.0f} ms)")  # fmt: skip
    print(table(rows, ["", "ours (grid + Patch)", "naive (raw points, full figure)", "naive/ours"]))


# Part 2 ------------------------------------------------------------------------------------


def write_config(tmp: Path, mode: str, n: int) -> Path:
    """default.yaml with only the traffic scene, no simulator feed, room for 50k-record batches."""
    raw = yaml.safe_load((ROOT / "config/default.yaml").read_text(encoding="utf-8"))
    traffic = raw["scenes"]["traffic"]
    traffic["options"] = dict(traffic.get("options") or {}) | {"vehicles": n}
    if mode == "naive":
        traffic["options"]["max_points"] = n + 1
    raw["scenes"] = {"traffic": traffic}
    raw["simulator"].update(enabled=False)
    raw["ingest"].update(max_records=max(n, 20_000) + 1000, max_body_bytes=64 * 1024 * 1024)
    path = tmp / f"{mode}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def _post(client: httpx.AsyncClient, base: str, dataset: str, body: bytes) -> None:
    r = await client.post(f"{base}/api/v1/ingest/{dataset}", content=body, headers={"X-API-Key": KEY, "Content-Type": "application/json"}, timeout=120)  # fmt: skip
    body_out = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    if r.status_code != 200 or body_out.get("rejected"):
        raise RuntimeError(f"ingest {dataset}: HTTP {r.status_code} {r.text[:300]}")


async def _viewer(base: str, call: LiveCall, end: float, poll_s: float, log: list[dict[str, Any]], offset: float) -> None:  # fmt: skip
    token, n = "", 0
    async with httpx.AsyncClient(timeout=60.0) as client:
        await asyncio.sleep(offset)
        while time.time() < end:
            n += 1
            start = time.time()
            try:
                r = await client.post(f"{base}/_dash-update-component", content=call.body(n, token), headers=HEADERS)  # fmt: skip
            except httpx.HTTPError as exc:
                log.append(
                    {"start": start, "end": time.time(), "status": -1, "error": str(exc)[:200]}
                )
                continue
            entry = {"start": start, "end": time.time(), "status": r.status_code, "wire": r.num_bytes_downloaded, "body": len(r.content), "first": not token}  # fmt: skip
            if r.status_code == 200:
                new = token_of(orjson.loads(r.content), call.token_key)
                entry["version"] = version_ms(new) if new else None
                token = new or token
            log.append(entry)
            await asyncio.sleep(max(0.0, start + poll_s - time.time()))


async def _run_load(base: str, call: LiveCall, args: argparse.Namespace, batches: list[bytes], poll_s: float) -> tuple[list, list]:  # fmt: skip
    log: list[dict[str, Any]] = []
    ingests: list[tuple[float, float]] = []
    end = time.time() + args.seconds

    async def ingester() -> None:
        async with httpx.AsyncClient() as client:
            for body in batches:
                await asyncio.sleep(args.ingest_every)
                if time.time() > end - 2:
                    return
                t0 = time.time()
                await _post(client, base, "traffic_vehicles", body)
                ingests.append((t0, time.time()))

    viewers = [
        _viewer(base, call, end, poll_s, log, poll_s * i / args.viewers)
        for i in range(args.viewers)
    ]
    await asyncio.gather(ingester(), *viewers)
    return log, ingests


def latencies(mode: str, log: list[dict[str, Any]], ingests: list[tuple[float, float]], viewers: int) -> list[float]:  # fmt: skip
    """Per ingest and viewer: ms from the end of the POST to the end of the first poll showing it."""
    out = []
    by_start = sorted(log, key=lambda e: e["start"])
    for t0, t1 in ingests:
        seen = 0
        for e in by_start:
            if e["status"] != 200 or e["end"] < t1:
                continue
            shows = e["start"] >= t1 if mode == "naive" else (e.get("version") or 0) >= t0 * 1000
            if shows:
                out.append(1000 * (e["end"] - t1))
                seen += 1
                if seen == viewers:
                    break
    return out


def http_mode(mode: str, args: argparse.Namespace, tmp: Path, batches: list[bytes], speeds: bytes) -> dict[str, Any]:  # fmt: skip
    """Start one mode's servers, load them, measure, and always stop them."""
    config = write_config(tmp, mode, args.vehicles)
    port = free_port()
    env = base_env(tmp, config, args.redis_url, port) | {"DATABASE_URL": f"sqlite:///{tmp / 'city.db'}", "CITYOPS_INGEST_KEY": KEY}  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    flush_redis(args.redis_url)
    procs = ProcessSet(tmp / mode)
    procs.log_dir.mkdir()
    procs.watch("redis", pids_named("redis-server"))
    argv = [venv_bin("gunicorn"), "-c", "gunicorn.conf.py"] + (["bench.naive_app:server"] if mode == "naive" else [])  # fmt: skip
    try:
        procs.start("gunicorn", argv, env, ROOT)
        wait_healthz(base, procs)

        async def prime() -> LiveCall:
            async with httpx.AsyncClient(timeout=120) as client:
                await _post(client, base, "traffic_speed", speeds)
                await _post(client, base, "traffic_vehicles", batches[0])
                return await discover(client, base, "traffic")

        call = asyncio.run(prime())
        poll_s = float(yaml.safe_load(config.read_text())["refresh"]["browser_poll_s"])
        time.sleep(3.0)  # the first render of the primed data
        cpu0 = procs.cpu_snapshot()
        log, ingests = asyncio.run(_run_load(base, call, args, batches[1:], poll_s))
        cpu = sum(cpu_delta(cpu0, procs.cpu_snapshot()).values())
        procs.check_alive()
    finally:
        procs.stop_all()
    ok = [e for e in log if e["status"] == 200 and not e["first"]]
    lat = latencies(mode, log, ingests, args.viewers)
    return {
        "mode": mode,
        "polls": len(log),
        "ok": sum(e["status"] == 200 for e in log),
        "not_modified": sum(e["status"] == 204 for e in log),
        "errors": sum(e["status"] not in (200, 204) for e in log),
        "ingests": len(ingests),
        "kb_update": sum(e["body"] for e in ok) / len(ok) / 1024 if ok else None,
        "wire_kb_update": sum(e["wire"] for e in ok) / len(ok) / 1024 if ok else None,
        "poll_p95_ms": percentile([1000 * (e["end"] - e["start"]) for e in log], 95),
        "update_p50_ms": percentile(lat, 50),
        "update_p95_ms": percentile(lat, 95),
        "updates_seen": len(lat),
        "server_cpu_s": cpu,
    }


def print_http(results: list[dict[str, Any]]) -> None:
    """The part-2 table and the naive/ours ratios."""

    def f(v: Any, d: int = 0) -> str:
        return "—" if v is None else f"{v:,.{d}f}"

    rows = [[r["mode"], str(r["polls"]), str(r["ok"]), str(r["not_modified"]), str(r["errors"]), f(r["kb_update"], 1), f(r["wire_kb_update"], 1), f(r["update_p50_ms"]), f(r["update_p95_ms"]), f(r["poll_p95_ms"]), f(r["server_cpu_s"], 1)] for r in results]  # fmt: skip
    print("\n## Over HTTP")
    print(table(rows, ["mode", "polls", "200", "204", "err", "KB/upd", "wire KB/upd", "upd p50 ms", "upd p95 ms", "poll p95 ms", "server CPU s"]))  # fmt: skip
    by = {r["mode"]: r for r in results}
    if {"ours", "naive"} <= set(by):
        o, nv = by["ours"], by["naive"]
        keys = ("kb_update", "wire_kb_update", "update_p50_ms", "update_p95_ms", "server_cpu_s")
        cells = [f"{nv[k] / o[k]:,.1f}×" if o[k] and nv[k] is not None else "—" for k in keys]
        print("\n## Ratios naive/ours (same run)")
        print(table([cells], list(keys)))


def main(argv: list[str] | None = None) -> int:
    """Run both parts; every started process is stopped, the temp folder removed unless --keep."""
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="cityops-traffic-bench-"))
    began = time.monotonic()
    try:
        part1 = in_process(args.vehicles, tmp)
        print_in_process(part1)
        results: list[dict[str, Any]] = []
        if not args.skip_http:
            from data_sources.simulator.traffic import TrafficSim
            from wall.geo import load_geo

            city = yaml.safe_load((ROOT / "config/default.yaml").read_text(encoding="utf-8"))[
                "city"
            ]
            geo = load_geo(ROOT / city["boundary"], name_field=city["name_field"], code_field=city["code_field"], center=tuple(city["center"]), zoom=city["zoom"], tolerance=0.002)  # fmt: skip
            env = base_env(tmp, write_config(tmp, "seed", args.vehicles), args.redis_url, 0) | {"DATABASE_URL": f"sqlite:///{tmp / 'city.db'}"}  # fmt: skip
            print(f"\nseeding one day into {tmp / 'city.db'} … {seed(env):.1f} s", flush=True)
            sim, now = TrafficSim(20191, args.vehicles), now_local().replace(microsecond=0)
            n_batches = int(args.seconds // args.ingest_every) + 2
            batches = [
                orjson.dumps(sim.vehicle_records(now + timedelta(seconds=k)))
                for k in range(n_batches)
            ]
            speeds = orjson.dumps(sim.live(geo, now)[0][1])
            for mode in args.modes:
                results.append(http_mode(mode, args, tmp, batches, speeds))
                print(f"[{mode}] done", flush=True)
            print_http(results)
        write_json(args.out, {"date": datetime.now().astimezone().isoformat(timespec="seconds"), "args": {k: str(v) for k, v in vars(args).items()}, "in_process": part1, "http": results})  # fmt: skip
        print(f"\nresults: {args.out} (total {time.monotonic() - began:.0f} s)")
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted: every started process was stopped", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"temporary files: {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
