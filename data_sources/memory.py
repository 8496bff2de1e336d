"""In-process bus and snapshot store: the embedded stand-in for Redis, same interface."""

from __future__ import annotations

import fnmatch
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from data_sources.base import Health

log = logging.getLogger(__name__)
Handler = Callable[[str, dict[str, Any]], None]
SWEEP_EVERY = 256


@dataclass
class _Sub:
    pattern: str
    handler: Handler
    owner: MemoryBackend

    def close(self) -> None:
        self.owner._unsubscribe(self)


class MemoryBackend:
    """Pub/sub plus a key-value store with expiry, living in this process only."""

    kind = "memory"

    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self._lock = threading.RLock()
        self._data: dict[str, tuple[bytes, float | None]] = {}
        self._subs: list[_Sub] = []
        self._writes = 0

    def _sweep(self) -> None:
        # Expired keys nobody reads again (old fingerprints) must not pile up over days.
        now = time.monotonic()
        for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp < now]:
            del self._data[key]

    # key-value -----------------------------------------------------------
    def set(self, key: str, value: Any, ttl_s: float | None = None) -> None:
        """Store a JSON-able value (serialised, like Redis, so no one mutates it)."""
        expires = time.monotonic() + ttl_s if ttl_s else None
        with self._lock:
            self._writes += 1
            if self._writes % SWEEP_EVERY == 0:
                self._sweep()
            self._data[key] = (
                orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY),
                expires,
            )

    def get(self, key: str) -> Any:
        """Return the stored value or None."""
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            raw, expires = item
            if expires is not None and expires < time.monotonic():
                del self._data[key]
                return None
        return orjson.loads(raw)

    def get_many(self, keys: list[str]) -> list[Any]:
        """Return values for several keys at once."""
        return [self.get(k) for k in keys]

    def set_many(self, items: dict[str, Any], ttl_s: float | None = None) -> None:
        """Store several values at once."""
        for key, value in items.items():
            self.set(key, value, ttl_s)

    def acquire_lock(self, key: str, owner: str, ttl_s: float) -> bool:
        """Take or renew a lease; in one process the first owner keeps it."""
        with self._lock:
            current = self.get(key)
            if current in (None, owner):
                self.set(key, owner, ttl_s)
                return True
            return False

    def release_lock(self, key: str, owner: str) -> None:
        """Give the lease up if we hold it."""
        with self._lock:
            if self.get(key) == owner:
                self._data.pop(key, None)

    # pub/sub -------------------------------------------------------------
    def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Call matching handlers synchronously; a failing handler is logged, not raised."""
        with self._lock:
            subs = [s for s in self._subs if fnmatch.fnmatchcase(channel, s.pattern)]
        for sub in subs:
            try:
                sub.handler(channel, message)
            except Exception:
                log.exception("bus handler for %s failed", channel)

    def subscribe(self, pattern: str, handler: Handler) -> _Sub:
        """Register a handler for channels matching the glob pattern."""
        sub = _Sub(pattern, handler, self)
        with self._lock:
            self._subs.append(sub)
        return sub

    def _unsubscribe(self, sub: _Sub) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    # Source protocol -----------------------------------------------------
    def fetch(self, key: str) -> Any:
        """Read one stored value."""
        return self.get(key)

    def health(self) -> Health:
        """Always healthy: it lives in this process."""
        return Health(self.name, self.kind, True, "in-process")

    def close(self) -> None:
        """Drop subscribers."""
        with self._lock:
            self._subs.clear()
