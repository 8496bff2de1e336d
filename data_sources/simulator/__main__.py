"""`python -m data_sources.simulator seed [--days N]`: fill the store with simulated history."""

from __future__ import annotations

import argparse
import logging
import sys

from config import ConfigError, load_settings
from data_sources.hub import now_local
from data_sources.simulator import Simulator, build_domains
from wall.runtime import build_runtime


def main(argv: list[str] | None = None) -> int:
    """Seed reference data and history through the ingest path."""
    parser = argparse.ArgumentParser(prog="python -m data_sources.simulator", description=__doc__)
    parser.add_argument("command", choices=["seed"])
    parser.add_argument(
        "--days", type=int, default=None, help="days of history (default: simulator.history_days)"
    )
    parser.add_argument(
        "--config",
        default=None,
        help="config file (default: $CITYOPS_CONFIG or config/default.yaml)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    runtime = build_runtime(settings, role="web")
    try:
        runtime.prepare_store()
        sim_cfg = settings.config.simulator
        sim = Simulator(
            build_domains(sim_cfg.seed, dict(settings.scene_options)), runtime.geo, runtime.ingest
        )
        days = args.days or sim_cfg.history_days
        print(f"seeding {days} days into {runtime.store.url_for_display}", flush=True)
        ref = sim.seed_reference()
        rows = sim.seed_history(days, now=now_local())
        print(f"done: {ref} reference records, {rows} readings", flush=True)
    finally:
        runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
