"""Summarise benchmark runs: per-run tables, naive/ours ratios and the JSON results file."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from bench.load import Stats


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(
    mode: str,
    viewers: int,
    stats: Stats,
    *,
    seconds: float,
    wall_s: float,
    cpu: Mapping[str, float],
    client_cpu_s: float,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """Turn one run's raw stats into the numbers we report."""
    ok, none = stats.status.get(200, 0), stats.status.get(204, 0)
    answered = ok + none
    cpu_s = sum(cpu.values())
    all_bodies = stats.first_body_bytes + stats.body_bytes
    return {
        "mode": mode,
        "viewers": viewers,
        "seconds": seconds,
        "wall_s": round(wall_s, 1),
        "polls": len(stats.latencies_ms) + stats.errors + stats.timeouts,
        "http_200": ok,
        "http_204": none,
        "http_other": {str(k): v for k, v in stats.status.items() if k not in (200, 204)},
        "errors": stats.errors,
        "timeouts": stats.timeouts,
        "missed_ticks": stats.missed_ticks,
        "p50_ms": percentile(stats.latencies_ms, 50),
        "p95_ms": percentile(stats.latencies_ms, 95),
        "max_ms": max(stats.latencies_ms, default=None),
        "bytes_per_update": _mean(all_bodies),
        "wire_bytes_per_update": _mean(stats.wire_bytes),
        "bytes_first_load": _mean(stats.first_body_bytes),
        "bytes_later_update": _mean(stats.body_bytes),
        "gzip_share": stats.gzip_responses / ok if ok else None,
        "updates_seen": len(stats.update_ms),
        "update_p50_ms": percentile(stats.update_ms, 50),
        "update_p95_ms": percentile(stats.update_ms, 95),
        "cpu_s": cpu_s,
        "cpu_by_process": dict(cpu),
        "cpu_ms_per_poll": 1000 * cpu_s / answered if answered else None,
        "client_cpu_s": client_cpu_s,
        "error_samples": stats.error_samples,
        "later_update_outputs": {
            key: {"sent": stats.output_sends[key], "mean_bytes": total / stats.output_sends[key]}
            for key, total in sorted(stats.output_bytes.items(), key=lambda kv: -kv[1])
        },
        **extra,
    }


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _kb(value: float | None) -> str:
    return "—" if value is None else f"{value / 1024:,.1f}"


COLUMNS: tuple[tuple[str, str], ...] = (
    ("mode", "mode"),
    ("N", "viewers"),
    ("polls", "polls"),
    ("200", "http_200"),
    ("204", "http_204"),
    ("err", "errors"),
    ("t/o", "timeouts"),
    ("p50 ms", "p50_ms"),
    ("p95 ms", "p95_ms"),
    ("max ms", "max_ms"),
    ("KB/upd", "bytes_per_update"),
    ("wire KB/upd", "wire_bytes_per_update"),
    ("upd p50 ms", "update_p50_ms"),
    ("upd p95 ms", "update_p95_ms"),
    ("CPU s", "cpu_s"),
    ("CPU ms/poll", "cpu_ms_per_poll"),
)


def row_cells(r: Mapping[str, Any]) -> list[str]:
    """One result as table cells, in COLUMNS order."""
    cells = []
    for _, key in COLUMNS:
        value = r.get(key)
        if key.endswith("bytes_per_update"):
            cells.append(_kb(value))
        elif key in ("cpu_s", "cpu_ms_per_poll"):
            cells.append(_fmt(value, 1 if key == "cpu_s" else 2))
        else:
            cells.append(_fmt(value))
    return cells


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """A Markdown table (readable in a terminal too)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def results_table(results: Sequence[Mapping[str, Any]]) -> str:
    """All runs in one table."""
    return table([row_cells(r) for r in results], [h for h, _ in COLUMNS])


def run_details(r: Mapping[str, Any]) -> str:
    """The lines printed under a run's table: CPU split, sizes, restarts and app errors."""
    cpu = ", ".join(f"{k} {v:.1f} s" for k, v in r["cpu_by_process"].items())
    lines = [
        f"  CPU by process: {cpu}; client {r['client_cpu_s']:.1f} s;"
        f" other processes on the machine {r.get('other_load_cores', 0):.2f} cores on average",
        f"  first load {_kb(r['bytes_first_load'])} KB, later updates {_kb(r['bytes_later_update'])} KB"
        f" (decoded); gzip on {_fmt((r['gzip_share'] or 0) * 100)}% of 200s;"
        f" missed ticks {r['missed_ticks']}; updates seen {r['updates_seen']}",
    ]
    outs = r.get("later_update_outputs") or {}
    if outs:
        top = ", ".join(
            f"{k} {v['mean_bytes'] / 1024:.1f} KB×{v['sent']}" for k, v in list(outs.items())[:5]
        )
        lines.append(f"  later updates carried (mean decoded KB × times sent): {top}")
    if r.get("worker_restarts"):
        lines.append(f"  !! gunicorn workers replaced during the run: {r['worker_restarts']}")
    if r.get("log_errors"):
        lines.append(
            f"  !! {r['log_errors']} error lines in server logs, e.g. {r['log_error_samples'][:2]}"
        )
    if r["error_samples"]:
        lines.append(f"  !! client errors, e.g. {r['error_samples'][:2]}")
    return "\n".join(lines)


RATIO_KEYS = (
    ("p95 latency", "p95_ms"),
    ("bytes/update", "bytes_per_update"),
    ("wire bytes/update", "wire_bytes_per_update"),
    ("CPU s", "cpu_s"),
    ("CPU ms/poll", "cpu_ms_per_poll"),
)


def ratios(results: Sequence[Mapping[str, Any]], base: str = "ours") -> list[dict[str, Any]]:
    """For each N, every other mode divided by `base` (naive/ours, split/ours)."""
    out = []
    by = {(r["mode"], r["viewers"]): r for r in results}
    for (mode, n), r in by.items():
        ref = by.get((base, n))
        if mode == base or ref is None:
            continue
        row: dict[str, Any] = {"ratio": f"{mode}/{base}", "viewers": n}
        for label, key in RATIO_KEYS:
            a, b = r.get(key), ref.get(key)
            row[label] = a / b if a is not None and b else None
        out.append(row)
    return out


def ratios_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The ratios as a table."""
    header = ["ratio", "N", *(label for label, _ in RATIO_KEYS)]
    cells = [
        [
            r["ratio"],
            str(r["viewers"]),
            *(_fmt(r[label], 1) + "×" if r[label] else "—" for label, _ in RATIO_KEYS),
        ]
        for r in rows
    ]
    return table(cells, header)


def write_json(path: Path, payload: Mapping[str, Any]) -> None:
    """Write the results file (bench/results is gitignored)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
