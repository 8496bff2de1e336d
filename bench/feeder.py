"""`python -m bench.feeder`: push the simulator's live readings through ingest (naive mode).

In the real app the hub's loop calls the simulator feed; the naive baseline has no hub, so
this process keeps the database changing at the same pace.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

from config import load_settings
from wall.runtime import build_runtime

log = logging.getLogger("bench.feeder")


def main() -> int:
    """Feed until SIGINT/SIGTERM."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    runtime = build_runtime(load_settings(), role="web")
    if runtime.simulator is None:
        log.error("simulator.enabled is false in the config: nothing to feed")
        return 2
    runtime.prepare_store()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("feeding every %.1f s", runtime.simulator.interval_s)
    while not stop.is_set():
        runtime.simulator.feed()
        stop.wait(0.25)
    runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
