"""One error tree for every adapter, so the hub handles failures the same way.

    SourceError                 any failure of a data source
    ├── SourceUnavailable       cannot reach it (refused, DNS, server down, file missing)
    │   └── SourceTimeout       reached, but it did not answer in time
    ├── SourceQueryError        it answered, but the request or the answer was bad
    └── SourceConfigError       the adapter was set up wrongly (bad URL, unknown key)

`map_errors(name)` is the single place where driver exceptions become this tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class SourceError(Exception):
    """A data source failed; `source` names it for logs and the stale badge."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class SourceUnavailable(SourceError):
    """The source cannot be reached right now; the hub keeps the last good data."""


class SourceTimeout(SourceUnavailable):
    """The source did not answer within its timeout."""


class SourceQueryError(SourceError):
    """The request or the answer was bad; retrying will not help."""


class SourceConfigError(SourceError):
    """The adapter is configured wrongly."""


def _classify(exc: BaseException) -> type[SourceError] | None:
    """Pick the tree node for a driver exception, importing drivers lazily."""
    import httpx
    import redis.exceptions as rx
    import sqlalchemy.exc as sx

    if isinstance(exc, httpx.TimeoutException | rx.TimeoutError | TimeoutError):
        return SourceTimeout
    if isinstance(exc, httpx.HTTPStatusError):
        return SourceUnavailable if exc.response.status_code >= 500 else SourceQueryError
    if isinstance(exc, sx.OperationalError) and _is_sqlite_sql_error(exc.orig):
        # SQLite reports "no such table" and syntax errors as OperationalError too.
        return SourceQueryError
    if isinstance(exc, sx.OperationalError | sx.InterfaceError | sx.DisconnectionError):
        return SourceUnavailable
    if isinstance(exc, sx.SQLAlchemyError):
        return SourceQueryError
    if isinstance(exc, rx.ConnectionError | httpx.TransportError | ConnectionError):
        return SourceUnavailable
    if isinstance(exc, rx.RedisError):
        return SourceQueryError
    if isinstance(exc, _pyogrio_error()):
        return SourceQueryError
    if isinstance(exc, FileNotFoundError | PermissionError):
        return SourceUnavailable
    if isinstance(exc, ValueError | KeyError | OSError):
        return SourceQueryError
    return None


def _is_sqlite_sql_error(orig: BaseException | None) -> bool:
    """True for SQLite's generic SQL error (bad query), not busy/locked/cannot-open."""
    import sqlite3

    return isinstance(orig, sqlite3.Error) and orig.sqlite_errorcode == sqlite3.SQLITE_ERROR


def _pyogrio_error() -> tuple[type[BaseException], ...]:
    """The GDAL reader's error types (an unreadable or malformed file), if it is installed."""
    try:
        from pyogrio.errors import DataLayerError, DataSourceError
    except ImportError:
        return ()
    return (DataSourceError, DataLayerError)


@contextmanager
def map_errors(source: str) -> Iterator[None]:
    """Re-raise driver exceptions from the block as `SourceError` subclasses."""
    try:
        yield
    except SourceError:
        raise
    except Exception as exc:
        kind = _classify(exc)
        if kind is None:
            raise
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise kind(source, f"{type(exc).__name__}: {detail[:300]}") from exc
