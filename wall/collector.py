"""`python -m wall.collector`: run the hub (and simulator feed) outside the web workers.

Use it with `CITYOPS_ROLE=web` gunicorn workers and Redis, so pandas work never blocks a
worker that is answering browsers.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from config import ConfigError, load_settings
from wall.runtime import build_runtime

log = logging.getLogger("wall.collector")


def main() -> int:
    """Collect until SIGTERM/SIGINT."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    if not os.environ.get("REDIS_URL"):
        log.warning(
            "REDIS_URL is unset: snapshots stay in this process and no web worker sees them"
        )
    runtime = build_runtime(settings, role="collector")
    runtime.prepare_store()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    runtime.start()
    log.info("collector %s running for scenes: %s", runtime.hub.owner, ", ".join(runtime.scenes))
    stop.wait()
    runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
