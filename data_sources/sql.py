"""SQL adapter over SQLAlchemy 2.x: SQLite embedded, PostgreSQL in production."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from data_sources.base import Health
from data_sources.errors import SourceConfigError, map_errors

log = logging.getLogger(__name__)


def latest_per_key(
    table: sa.Table, key: str, *where: Any, columns: Sequence[Any] | None = None
) -> sa.Select:
    """Each key's newest row (max `ts`) among the rows matching `where`, in key order."""
    k = table.c[key]
    newest = sa.select(k, sa.func.max(table.c.ts).label("ts")).where(*where).group_by(k).subquery()
    joined = sa.and_(k == newest.c[key], table.c.ts == newest.c.ts)
    return sa.select(*(columns or (table,))).join(newest, joined).order_by(k)


def _engine_for(url: str, timeout_s: float, root: Path) -> Engine:
    """Create an engine lazily configured for the dialect; no connection is opened here."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not Path(db).is_absolute():
            parsed = parsed.set(database=str(root / db))
        if parsed.database and parsed.database != ":memory:":
            # No I/O error escapes the constructor: an unusable folder surfaces as
            # SourceUnavailable on the first connect (and in health()), like a dead server.
            with contextlib.suppress(OSError):
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": timeout_s})

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets the hub read while the simulator writes.
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA synchronous=NORMAL")

        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=5,
            connect_args={"connect_timeout": max(1, int(timeout_s))},
        )
    return sa.create_engine(parsed, pool_pre_ping=True)


class SqlSource:
    """Reads and writes through SQLAlchemy Core with bound parameters only."""

    kind = "sql"

    def __init__(self, name: str, url: str, *, timeout_s: float = 5.0, root: Path = Path(".")):
        self.name = name
        try:
            self.engine = _engine_for(url, timeout_s, root)
        except (sa.exc.ArgumentError, ValueError) as exc:
            raise SourceConfigError(name, f"bad database URL: {exc}") from exc
        self.dialect = self.engine.dialect.name

    @property
    def url_for_display(self) -> str:
        """The URL with the password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def fetch(
        self, statement: sa.Executable, params: Mapping[str, Any] | None = None
    ) -> list[dict]:
        """Run a read statement with bound parameters and return rows as dicts."""
        with map_errors(self.name), self.engine.connect() as conn:
            result = conn.execute(statement, dict(params or {}))
            # Plain str keys: SQLAlchemy's quoted_name keys trip strict JSON encoders (orjson).
            return [{str(k): v for k, v in row.items()} for row in result.mappings()]

    def upsert(self, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert rows, replacing those with the same primary key, in one transaction."""
        if not rows:
            return 0
        keys = [c.name for c in table.primary_key.columns]
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = insert(table)
        update = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
        stmt = (
            stmt.on_conflict_do_update(index_elements=keys, set_=update)
            if update
            else stmt.on_conflict_do_nothing(index_elements=keys)
        )
        with map_errors(self.name), self.engine.begin() as conn:
            conn.execute(stmt, [dict(r) for r in rows])
        return len(rows)

    def create_tables(self, metadata: sa.MetaData) -> None:
        """Create any missing tables (idempotent)."""
        with map_errors(self.name):
            metadata.create_all(self.engine)

    def health(self) -> Health:
        """Run `SELECT 1`; report the error text instead of raising."""
        try:
            with map_errors(self.name), self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return Health(self.name, self.kind, True, self.dialect)
        except Exception as exc:  # health must never raise
            return Health(self.name, self.kind, False, str(exc))

    def close(self) -> None:
        """Dispose of the connection pool."""
        self.engine.dispose()
