"""Helpers for the browser tests: run the real app in a subprocess, proxy a socket, wait on pages."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
INGEST_KEY = "test-key"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "about", "chrome", "chrome-extension", "devtools"}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOADING_TEXT = "加载中…"
# Read once at import (collection time): tests/conftest.py removes CITYOPS_CONFIG inside tests.
CONFIG_FILE = Path(os.environ.get("CITYOPS_CONFIG") or REPO / "config" / "default.yaml")


def unavailable(message: str) -> None:
    """Fail under CI (a missing browser or service is a broken CI), skip on a workstation."""
    if IN_CI:
        pytest.fail(f"{message} (CI=true: this is a failure, not a skip)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ACCESS_OK = re.compile(r'INFO werkzeug: .*" (200|204|304) -$')


def tail(path: Path, lines: int = 60) -> str:
    """The last lines of a log file (or a note that it is missing)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    # Successful access-log lines drown the interesting ones; failed requests stay.
    kept = [ln for ln in text.splitlines() if not ACCESS_OK.search(ln)]
    return "\n".join(kept[-lines:])


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge `overrides` into a copy of `base` (nested mappings merge, the rest replaces)."""
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def write_test_config(
    dest: Path, *, interval_s: float = 2.0, overrides: Mapping[str, Any] | None = None
) -> Path:
    """Copy the wall's config (CITYOPS_CONFIG or config/default.yaml) with a fast simulator."""
    raw = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    raw = merge(raw, {"simulator": {"enabled": True, "interval_s": interval_s}})
    raw = merge(raw, overrides or {})
    dest.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def enabled_scenes() -> tuple[str, ...]:
    """The enabled scene ids in display order, read from the config the app will use."""
    from config import load_settings

    return load_settings(CONFIG_FILE).scene_order


def _base_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "DATABASE_URL", "PORT", "HOST")
    }
    env.update(PYTHONUNBUFFERED="1", CITYOPS_INGEST_KEY=INGEST_KEY)
    env.update(extra)
    return env


def seed(env: Mapping[str, str], log: Path, days: int = 1) -> None:
    """`python -m data_sources.simulator seed --days N` into the server's database."""
    with log.open("ab") as out:
        out.write(f"\n$ python -m data_sources.simulator seed --days {days}\n".encode())
        out.flush()
        proc = subprocess.run(
            [sys.executable, "-m", "data_sources.simulator", "seed", "--days", str(days)],
            cwd=REPO,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=240,
        )
    if proc.returncode != 0:
        pytest.fail(
            f"seeding failed (exit {proc.returncode}); log tail:\n{tail(log)}", pytrace=False
        )


@dataclass
class Server:
    """A running app process: its URL, its environment and its captured output."""

    name: str
    url: str
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kw)

    def ingest(self, dataset: str, records: list[dict[str, Any]]) -> httpx.Response:
        return httpx.post(
            f"{self.url}/api/v1/ingest/{dataset}",
            json=records,
            headers={"X-API-Key": INGEST_KEY},
            timeout=15,
        )

    def log_tail(self, lines: int = 60) -> str:
        return tail(self.log, lines)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


# Servers started in this session, so a failing test can show their logs.
RUNNING: list[Server] = []


def start_server(
    name: str,
    workdir: Path,
    env_extra: Mapping[str, str],
    *,
    seed_days: int = 1,
    config: Mapping[str, Any] | None = None,
) -> Server:
    """Seed the database, start `python app.py` on a free port and wait for /healthz."""
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = write_test_config(workdir / "config.yaml", overrides=config)
    port = free_port()
    env = _base_env(
        {"CITYOPS_CONFIG": str(config_file), "HOST": "127.0.0.1", "PORT": str(port), **env_extra}
    )
    log = workdir / f"{name}.log"
    log.write_bytes(b"")
    if seed_days:
        seed(env, log, seed_days)
    server = Server(name=name, url=f"http://127.0.0.1:{port}", env=env, log=log)
    with log.open("ab") as out:
        out.write(b"\n$ python app.py\n")
        out.flush()
        server.proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    RUNNING.append(server)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(
                f"{name}: app.py exited with {server.proc.returncode} before answering; log tail:\n{server.log_tail()}",
                pytrace=False,
            )
        with contextlib.suppress(httpx.HTTPError):
            if server.get("/healthz").status_code == 200:
                return server
        time.sleep(0.25)
    server.stop()
    pytest.fail(
        f"{name}: /healthz did not answer within 60 s; log tail:\n{server.log_tail()}",
        pytrace=False,
    )
    raise AssertionError  # unreachable


def stop_server(server: Server) -> None:
    server.stop()
    with contextlib.suppress(ValueError):
        RUNNING.remove(server)


class TcpProxy:
    """A loopback TCP forwarder that can be cut, to make a real database unreachable."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._open = True
        threading.Thread(target=self._accept, daemon=True, name="tcp-proxy").start()

    def _accept(self) -> None:
        while self._open:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if not self._open:
                    client.close()
                    upstream.close()
                    return
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def cut(self) -> None:
        """Refuse new connections and reset every open one."""
        self._open = False
        with contextlib.suppress(OSError):
            self.listener.close()
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    conn.close()
            self._conns.clear()


PG_ADMIN_URL = os.environ.get("CITYOPS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def pg_sqlalchemy_url(schema: str, base: str = PG_ADMIN_URL) -> str:
    """The app's DATABASE_URL for one schema: psycopg 3 driver, search_path set per connection."""
    url = base.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def pg_schema(admin_url: str, prefix: str = "wall_browser") -> Iterator[str]:
    """Create a unique schema and drop it (with everything in it) afterwards."""
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute("SET lock_timeout = '10s'")
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@dataclass
class WallPage:
    """A page plus what it did: console errors, uncaught errors and every request URL."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def goto(self, url: str) -> Any:
        return self.page.goto(url, wait_until="domcontentloaded")

    def assert_no_errors(self) -> None:
        problems = [f"console: {e}" for e in self.console_errors] + [
            f"pageerror: {e}" for e in self.page_errors
        ]
        assert not problems, "the page logged errors:\n" + "\n".join(problems)

    def assert_loopback_only(self) -> None:
        bad = offenders(self.requests)
        assert not bad, "requests left loopback:\n" + "\n".join(bad)


# ---- page-side helpers --------------------------------------------------------------------


def is_loopback(url: str) -> bool:
    """True for URLs that stay on this machine (loopback hosts, data:, blob: of a loopback page)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    if parts.scheme == "blob":
        return is_loopback(url[len("blob:") :])
    return (parts.hostname or "") in LOOPBACK_HOSTS


def offenders(urls: Iterable[str]) -> list[str]:
    return sorted({u for u in urls if not is_loopback(u)})


# Text of the page as drawn: HTML and SVG text nodes, without <script>/<style> contents.
VISIBLE_TEXT_JS = """
function visibleText() {
  const skip = ['SCRIPT', 'STYLE', 'NOSCRIPT'];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.parentElement && skip.includes(n.parentElement.tagName)
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const parts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) parts.push(n.textContent);
  return parts.join(' ');
}
"""
DRAWN_JS = (
    "(loading) => {"
    + VISIBLE_TEXT_JS
    + """
  const scene = document.querySelector('.scene-body');
  if (!scene || scene.classList.contains('is-loading')) return false;
  const graphs = document.querySelectorAll('.panel-graph');
  const plots = document.querySelectorAll('.panel-graph.js-plotly-plot, .panel-graph .js-plotly-plot');
  if (plots.length < graphs.length) return false;
  for (const m of document.querySelectorAll('.map-graph')) {
    if (!m.querySelector('.maplibregl-canvas')) return false;
  }
  return !visibleText().includes(loading);
}"""
)


def page_text(page: Any) -> str:
    """The text a viewer could see (HTML and SVG text; scripts and styles left out)."""
    return page.evaluate("() => {" + VISIBLE_TEXT_JS + " return visibleText(); }")


def wait_drawn(page: Any, timeout_ms: float = 30_000) -> None:
    """Wait until the scene's live callback has filled it and every figure has drawn."""
    page.wait_for_function(DRAWN_JS, arg=LOADING_TEXT, timeout=timeout_ms, polling=200)
    page.evaluate("document.fonts.ready.then(() => true)")


def wait_until(check: Callable[[], Any], timeout_s: float, interval_s: float = 0.25) -> Any:
    """Poll `check` until it returns something truthy; return that value or the last one."""
    deadline = time.monotonic() + timeout_s
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(interval_s)
        value = check()
    return value
