"""HTTP pull adapter: JSON from the city big-data platform, with timeout and retry."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

from data_sources.base import Health
from data_sources.errors import SourceConfigError, SourceUnavailable, map_errors

log = logging.getLogger(__name__)


class HttpSource:
    """GETs JSON below a base URL; retries only failures that retrying can fix."""

    kind = "http"

    def __init__(
        self, name: str, base_url: str | None, *, timeout_s: float = 5.0, retries: int = 2
    ):
        self.name = name
        self.base_url = base_url
        self.retries = retries
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False) if base_url else None

    def fetch(self, path: str = "", params: dict[str, Any] | None = None) -> Any:
        """Return the decoded JSON body of GET base_url/path."""
        if self._client is None:
            raise SourceConfigError(self.name, "no URL configured (set url or url_env)")
        url = self.base_url.rstrip("/") + ("/" + path.lstrip("/") if path else "")
        for attempt in range(self.retries + 1):
            try:
                with map_errors(self.name):
                    response = self._client.get(url, params=params)
                    response.raise_for_status()
                    return response.json()
            except SourceUnavailable:
                if attempt == self.retries:
                    raise
                time.sleep(min(0.2 * 2**attempt, 2.0))
        raise AssertionError("unreachable")

    def health(self) -> Health:
        """Try one GET of the base URL."""
        if self._client is None:
            return Health(self.name, self.kind, False, "not configured")
        try:
            with map_errors(self.name):
                self._client.get(self.base_url).raise_for_status()
            return Health(self.name, self.kind, True, self.base_url)
        except Exception as exc:
            return Health(self.name, self.kind, False, str(exc))

    def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._client is not None:
            self._client.close()
