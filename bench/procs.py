"""Start, watch and stop the benchmark's server processes; read their CPU time from /proc."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (field 3 onwards), or None if gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float | None:
    """Return utime + stime of one process (all its threads) in seconds."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent busy since boot (user+nice+system+irq+softirq+steal)."""
    with open("/proc/stat") as fh:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(
            int, fh.readline().split()[1:9]
        )
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def pids_named(comm: str) -> list[int]:
    """Pids whose /proc/<pid>/comm is `comm` (e.g. redis-server)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == comm:
                    out.append(int(entry.name))
            except OSError:
                continue
    return out


def descendants(pid: int) -> list[int]:
    """Return every live descendant of `pid` (gunicorn workers, their helpers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                parents.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


@dataclass
class Proc:
    """One started process (the leader of its own process group)."""

    name: str
    popen: subprocess.Popen
    log_path: Path

    def pids(self) -> list[int]:
        """The leader and all of its live descendants."""
        return [self.popen.pid, *descendants(self.popen.pid)]

    def alive(self) -> bool:
        """True while the leader runs."""
        return self.popen.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the process's combined stdout/stderr."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class ProcessSet:
    """Processes started for one mode; `stop_all` ends every one of them, by process group."""

    log_dir: Path
    procs: list[Proc] = field(default_factory=list)
    watched: dict[str, list[int]] = field(default_factory=dict)
    _logs: list[IO[bytes]] = field(default_factory=list)

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> Proc:
        """Start `argv` in a new session so it and its children can be signalled as a group."""
        log_path = self.log_dir / f"{name}.log"
        log = open(log_path, "ab")  # noqa: SIM115 - closed in stop_all
        self._logs.append(log)
        popen = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc = Proc(name, popen, log_path)
        self.procs.append(proc)
        return proc

    def watch(self, name: str, pids: list[int]) -> None:
        """Also count the CPU of processes we did not start (the shared Redis server)."""
        self.watched[name] = pids

    def cpu_snapshot(self) -> dict[tuple[str, int], float]:
        """CPU seconds of every live process we started or watch, keyed by (name, pid)."""
        groups = [(p.name, p.pids()) for p in self.procs] + list(self.watched.items())
        snap: dict[tuple[str, int], float] = {}
        for name, pids in groups:
            for pid in pids:
                value = cpu_seconds(pid)
                if value is not None:
                    snap[(name, pid)] = value
        return snap

    def worker_pids(self, name: str) -> set[int]:
        """The live descendants of one started process (gunicorn's workers)."""
        return {
            pid for proc in self.procs if proc.name == name for pid in descendants(proc.popen.pid)
        }

    def check_alive(self) -> None:
        """Raise with the log tail if a process we started has exited."""
        for proc in self.procs:
            if not proc.alive():
                raise RuntimeError(
                    f"{proc.name} exited with code {proc.popen.returncode}; "
                    f"last log lines:\n{proc.log_tail()}"
                )

    def stop_all(self, grace_s: float = 10.0) -> None:
        """SIGINT every process group (gunicorn's quick shutdown), then SIGKILL leftovers."""
        for proc in reversed(self.procs):
            _signal_group(proc.popen.pid, signal.SIGINT)
        deadline = time.monotonic() + grace_s
        for proc in reversed(self.procs):
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            # Workers can outlive a master that was killed: signal the whole group regardless.
            _signal_group(proc.popen.pid, signal.SIGKILL)
            if proc.popen.poll() is None:
                proc.popen.wait(timeout=5)
        for log in self._logs:
            log.close()
        self.procs.clear()
        self._logs.clear()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def cpu_by_pid(
    before: Mapping[tuple[str, int], float], after: Mapping[tuple[str, int], float]
) -> dict[str, float]:
    """CPU seconds per process ("name:pid") between two snapshots, to spot idle workers."""
    return {
        f"{name}:{pid}": round(v - before.get((name, pid), 0.0), 2)
        for (name, pid), v in after.items()
    }


def cpu_delta(
    before: Mapping[tuple[str, int], float], after: Mapping[tuple[str, int], float]
) -> dict[str, float]:
    """CPU seconds per process name between two snapshots (newborns count from zero)."""
    out: dict[str, float] = {}
    for key, value in after.items():
        out[key[0]] = out.get(key[0], 0.0) + value - before.get(key, 0.0)
    return out
