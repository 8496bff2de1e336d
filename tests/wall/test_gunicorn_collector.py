"""Several gunicorn workers on Redis: one collector at a time, and another takes over on death."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
import yaml

from tests.conftest import REPO_ROOT, deep_merge, wait_until

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_pids(master: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return {int(p) for p in out.stdout.split()}


@pytest.fixture
def cluster(redis_url: str, tmp_path: Path) -> Iterator[dict]:
    """gunicorn with 2 gevent workers, all collector candidates, sharing Redis db 12."""
    url = redis_url.rsplit("/", 1)[0] + "/12"
    client = redis.Redis.from_url(url)
    client.flushdb()
    raw = yaml.safe_load((REPO_ROOT / "config/default.yaml").read_text(encoding="utf-8"))
    config = tmp_path / "config.yaml"
    cfg = deep_merge(raw, {"simulator": {"interval_s": 1}})
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/city.db",
        "REDIS_URL": url,
        "CITYOPS_CONFIG": str(config),
        "CITYOPS_INGEST_KEY": "k",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    subprocess.run(
        [sys.executable, "-m", "data_sources.simulator", "seed", "--days", "1"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout_s=60, step_s=0.5)
        yield {"proc": proc, "redis": client, "base": base, "log": tmp_path / "gunicorn.log"}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        client.flushdb()
        client.close()


def owner(client: redis.Redis) -> str | None:
    raw = client.get("cityops:collector")
    return None if raw is None else raw.decode()


def meta_version(client: redis.Redis) -> int:
    import orjson

    raw = client.get("cityops:meta:environment")
    return 0 if raw is None else orjson.loads(raw)["version"]


def test_one_worker_collects_and_another_takes_over_when_it_dies(cluster: dict) -> None:
    client, proc = cluster["redis"], cluster["proc"]
    workers = wait_until(lambda: (w := worker_pids(proc.pid)) and len(w) == 2 and w, 30, 0.2)
    leader = wait_until(lambda: owner(client), 30, 0.2)
    # The lease value is host:pid:nonce; the pid is one of this master's two workers.
    leader_pid = int(leader.split(":")[1])
    assert leader_pid in workers
    first = wait_until(lambda: meta_version(client), 30, 0.2)
    wait_until(lambda: meta_version(client) > first, 15, 0.2)  # live data keeps moving

    os.kill(leader_pid, signal.SIGKILL)
    new_leader = wait_until(lambda: (o := owner(client)) and o != leader and o, 30, 0.2)
    assert int(new_leader.split(":")[1]) != leader_pid
    after = meta_version(client)
    wait_until(lambda: meta_version(client) > after, 20, 0.2)  # and keeps moving after failover
    # The page is still served by the surviving workers.
    assert httpx.get(cluster["base"] + "/wall/environment", timeout=5).status_code == 200
