"""Server side of the benchmark: temporary config, seeding, Redis, gunicorn per mode, logs."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import redis
import yaml

from bench.procs import ProcessSet, cpu_delta, machine_busy_seconds

ROOT = Path(__file__).resolve().parent.parent
LOG_ERROR = re.compile(r"Traceback|\bERROR\b|CRITICAL|WORKER TIMEOUT|Exception")


def venv_bin(name: str) -> str:
    """Prefer the repository's venv tools; fall back to this interpreter's neighbours / PATH."""
    for candidate in (ROOT / ".venv" / "bin" / name, Path(sys.executable).parent / name):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: run .venv/bin/python bench/viewers.py")
    return found


def build_config(tmp: Path, scene: str, sim_interval: float) -> tuple[Path, float]:
    """Copy config/default.yaml with a fast simulator; return its path and browser_poll_s."""
    from scenes import SCENES_BY_ID

    if scene not in SCENES_BY_ID:
        known = ", ".join(SCENES_BY_ID)
        raise SystemExit(f"--scene {scene!r} is not in scenes/__init__.py (known: {known})")
    raw = yaml.safe_load((ROOT / "config" / "default.yaml").read_text(encoding="utf-8"))
    dropped = [s for s in raw.get("scenes", {}) if s not in SCENES_BY_ID]
    for s in dropped:  # named in the config but not registered (yet): leave it out
        del raw["scenes"][s]
    if dropped:
        print(f"note: config scenes not registered, left out: {', '.join(dropped)}")
    # Only the scene under test: otherwise `ours` would also pay for rendering the other
    # scenes while `naive` (which only serves this scene) would not.
    for other, cfg in raw.get("scenes", {}).items():
        if other != scene:
            cfg["enabled"] = False
    raw.setdefault("scenes", {}).setdefault(scene, {})
    raw["scenes"][scene]["enabled"] = True
    raw["simulator"].update(enabled=True, interval_s=sim_interval)
    path = tmp / "bench.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, float(raw.get("refresh", {}).get("browser_poll_s", 2.0))


def free_port() -> int:
    """An unused localhost port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(tmp: Path, config: Path, redis_url: str, port: int) -> dict[str, str]:
    """The environment every server process gets (secrets and URLs, never in the file)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYOPS_")}
    env.update(
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        REDIS_URL=redis_url,
        DATABASE_URL=f"sqlite:///{tmp / 'city.db'}",
        CITYOPS_CONFIG=str(config),
        CITYOPS_INGEST_KEY="bench-ingest-key",
        PYTHONUNBUFFERED="1",
    )
    return env


def seed(env: dict[str, str]) -> float:
    """Seed one simulated day through the simulator CLI; return the time it took."""
    began = time.monotonic()
    subprocess.run(
        [venv_bin("python"), "-m", "data_sources.simulator", "seed", "--days", "1"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return time.monotonic() - began


def flush_redis(url: str) -> None:
    """Empty the bench's own Redis db, so each mode starts without views or leases."""
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def start_mode(procs: ProcessSet, mode: str, env: dict[str, str]) -> None:
    """Start gunicorn (and the collector or the feeder) for one mode."""
    gunicorn = [venv_bin("gunicorn"), "-c", "gunicorn.conf.py"]
    python = venv_bin("python")
    if mode == "ours":
        procs.start("gunicorn", gunicorn, env, ROOT)
    elif mode == "split":
        procs.start("collector", [python, "-m", "wall.collector"], env, ROOT)
        procs.start("gunicorn", gunicorn, env | {"CITYOPS_ROLE": "web"}, ROOT)
    elif mode == "naive":
        procs.start("feeder", [python, "-m", "bench.feeder"], env, ROOT)
        procs.start("gunicorn", [*gunicorn, "bench.naive_app:server"], env, ROOT)
    else:
        raise ValueError(f"unknown mode {mode!r} (use ours, split or naive)")


def wait_healthz(base: str, procs: ProcessSet, deadline_s: float = 120.0) -> None:
    """Wait until /healthz answers 200 (any status body) while every process stays up."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        procs.check_alive()
        try:
            if httpx.get(f"{base}/healthz", timeout=5.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"/healthz did not answer 200 within {deadline_s:.0f} s")


def settle(procs: ProcessSet, max_s: float = 15.0, quiet_wait_s: float = 10.0) -> float:
    """Wait for our servers to drain (< 0.15 core), then up to `quiet_wait_s` for the rest of
    the machine to calm down (< 0.5 core): other people's tests share these 2 cores.
    Return the load (cores) the other processes had in the last second."""
    end = time.monotonic() + max_s
    quiet_end = None
    before, busy0 = procs.cpu_snapshot(), machine_busy_seconds()
    other = 0.0
    while time.monotonic() < (quiet_end or end):
        time.sleep(1.0)
        after, busy1 = procs.cpu_snapshot(), machine_busy_seconds()
        ours = sum(cpu_delta(before, after).values())
        other = max(0.0, busy1 - busy0 - ours)
        before, busy0 = after, busy1
        if ours >= 0.15:
            continue
        if quiet_end is None:
            quiet_end = time.monotonic() + quiet_wait_s
        if other < 0.5:
            break
    return other


def log_offsets(procs: ProcessSet) -> dict[str, int]:
    """Current size of each process log, to scan only what a run adds."""
    return {p.name: p.log_path.stat().st_size for p in procs.procs}


def log_errors(procs: ProcessSet, offsets: dict[str, int]) -> list[str]:
    """Error-looking lines the servers logged since `offsets`."""
    out = []
    for p in procs.procs:
        with open(p.log_path, "rb") as fh:
            fh.seek(offsets.get(p.name, 0))
            text = fh.read().decode(errors="replace")
        out += [f"{p.name}: {line.strip()}" for line in text.splitlines() if LOG_ERROR.search(line)]
    return out
