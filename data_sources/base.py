"""The small protocols every adapter implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Health:
    """A source's state for /healthz and the status panel."""

    name: str
    kind: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"name": self.name, "kind": self.kind, "ok": self.ok, "detail": self.detail}


@runtime_checkable
class Source(Protocol):
    """Anything the hub can read from: `fetch` does the I/O, `health` never raises."""

    name: str
    kind: str

    def fetch(self, *args: Any, **kwargs: Any) -> Any:
        """Read data; raise only `data_sources.errors.SourceError`."""

    def health(self) -> Health:
        """Report whether the source answers, without raising."""

    def close(self) -> None:
        """Release connections; safe to call twice."""


class Subscription(Protocol):
    """A live subscription; `close` stops the handler."""

    def close(self) -> None:
        """Stop delivering messages."""


@runtime_checkable
class StreamSource(Source, Protocol):
    """A source that also pushes messages (the bus)."""

    def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Send a message to every subscriber of `channel`."""

    def subscribe(
        self, pattern: str, handler: Callable[[str, dict[str, Any]], None]
    ) -> Subscription:
        """Call `handler(channel, message)` for channels matching the glob `pattern`."""
