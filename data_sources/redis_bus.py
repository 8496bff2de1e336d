"""Redis adapter: the production bus (pub/sub) and the shared snapshot store."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import orjson
import redis

from data_sources.base import Health
from data_sources.errors import map_errors

log = logging.getLogger(__name__)
Handler = Callable[[str, dict[str, Any]], None]

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class _RedisSub:
    def __init__(self, pubsub: redis.client.PubSub, thread: Any) -> None:
        self._pubsub = pubsub
        self._thread = thread

    def close(self) -> None:
        # Wait for the worker: closing the socket under its blocking read raises in its thread.
        self._thread.stop()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        self._pubsub.close()


class RedisBackend:
    """Same interface as `MemoryBackend`, shared by every worker and host."""

    kind = "redis"

    def __init__(
        self, url: str, *, name: str = "redis", prefix: str = "cityops:", timeout_s: float = 3.0
    ):
        self.name = name
        self.prefix = prefix
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            health_check_interval=30,
        )
        self._renew = self.client.register_script(_RENEW)
        self._release = self.client.register_script(_RELEASE)

    def _k(self, key: str) -> str:
        return self.prefix + key

    def set(self, key: str, value: Any, ttl_s: float | None = None) -> None:
        """Store a JSON-able value."""
        raw = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)
        with map_errors(self.name):
            self.client.set(self._k(key), raw, px=int(ttl_s * 1000) if ttl_s else None)

    def get(self, key: str) -> Any:
        """Return the stored value or None."""
        with map_errors(self.name):
            raw = self.client.get(self._k(key))
        return None if raw is None else orjson.loads(raw)

    def get_many(self, keys: list[str]) -> list[Any]:
        """Return values for several keys in one round trip."""
        if not keys:
            return []
        with map_errors(self.name):
            raws = self.client.mget([self._k(k) for k in keys])
        return [None if r is None else orjson.loads(r) for r in raws]

    def set_many(self, items: dict[str, Any], ttl_s: float | None = None) -> None:
        """Store several values in one pipeline."""
        with map_errors(self.name):
            pipe = self.client.pipeline(transaction=True)
            for key, value in items.items():
                raw = orjson.dumps(
                    value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
                )
                pipe.set(self._k(key), raw, px=int(ttl_s * 1000) if ttl_s else None)
            pipe.execute()

    def acquire_lock(self, key: str, owner: str, ttl_s: float) -> bool:
        """Take the lease, or renew it if `owner` already holds it."""
        with map_errors(self.name):
            return bool(self._renew(keys=[self._k(key)], args=[owner, int(ttl_s * 1000)]))

    def release_lock(self, key: str, owner: str) -> None:
        """Give the lease up if we hold it."""
        with map_errors(self.name):
            self._release(keys=[self._k(key)], args=[owner])

    def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Publish a JSON message."""
        with map_errors(self.name):
            self.client.publish(self._k(channel), orjson.dumps(message))

    def subscribe(self, pattern: str, handler: Handler) -> _RedisSub:
        """Run `handler(channel, message)` in a background thread for matching channels."""
        cut = len(self.prefix)

        def on_message(msg: dict[str, Any]) -> None:
            channel = msg["channel"].decode()[cut:]
            try:
                handler(channel, orjson.loads(msg["data"]))
            except Exception:
                log.exception("bus handler for %s failed", channel)

        with map_errors(self.name):
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            pubsub.psubscribe(**{self._k(pattern): on_message})
            thread = pubsub.run_in_thread(sleep_time=0.5, daemon=True)
        return _RedisSub(pubsub, thread)

    def fetch(self, key: str) -> Any:
        """Read one stored value."""
        return self.get(key)

    def health(self) -> Health:
        """PING the server."""
        try:
            with map_errors(self.name):
                self.client.ping()
            return Health(self.name, self.kind, True, "PONG")
        except Exception as exc:
            return Health(self.name, self.kind, False, str(exc))

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()
