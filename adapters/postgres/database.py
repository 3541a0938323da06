"""One PostgreSQL database shared by every store: a connection pool and versioned migrations.

Migrations are the numbered SQL files in ``migrations/`` (``0001_sessions.sql`` …), applied by
the runner every SQL store shares (``synth_ai.adapters.sql_common.migrations``: one transaction
per file with its ``schema_migrations`` row, checksums, a newer database refused). Here the
migration lock is a transaction-level advisory lock, so replicas starting at once apply each
file exactly once.

Nothing connects at construction: the pool opens on first use. With ``schema`` every connection
runs with that ``search_path`` (the schema is created when missing), which is how tests isolate
themselves from parallel workers on one database.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from synth_ai.adapters.sql_common import migrations as runner
from synth_ai.domain.errors import ServiceUnavailable

# Any 64-bit constant works; it only has to be the same for every replica of this schema.
_MIGRATION_LOCK = 0x5A17_0016


def migration_files() -> list[runner.Migration]:
    """(version, name, sql) of every packaged migration, in version order."""
    return runner.discover("synth_ai.adapters.postgres")


class Database:
    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        min_size: int = 1,
        max_size: int = 10,
        migrate_on_start: bool = True,
    ):
        self.url = url
        self.schema = schema
        self._min_size, self._max_size = min_size, max_size
        self._migrate_on_start = migrate_on_start
        self._pool = None
        self._lock = threading.Lock()

    # -- connections ------------------------------------------------------------------------
    def _kwargs(self) -> dict[str, Any]:
        from psycopg.rows import dict_row

        # Autocommit: a lone read is one round trip (no BEGIN/COMMIT around it); every change
        # still runs inside ``transaction()``'s explicit BEGIN … COMMIT.
        kwargs: dict[str, Any] = {"row_factory": dict_row, "autocommit": True}
        if self.schema:
            kwargs["options"] = f"-c search_path={self.schema}"
        return kwargs

    def _open(self):
        import psycopg
        from psycopg_pool import ConnectionPool

        if self.schema and not re.fullmatch(r"[a-z_][a-z0-9_]*", self.schema):
            raise ValueError(f"schema {self.schema!r} must be a lower-case SQL identifier")
        # One direct connection first: an unreachable server fails here, fast and once, instead
        # of the pool retrying in the background until its timeout.
        with psycopg.connect(self.url, connect_timeout=5) as conn:
            if self.schema:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        pool = ConnectionPool(
            self.url,
            min_size=self._min_size,
            max_size=self._max_size,
            kwargs=self._kwargs(),
            open=True,
            timeout=30.0,
            name="synth-ai",
        )
        return pool

    @property
    def pool(self):
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
                    try:
                        pool = self._open()
                        try:
                            if self._migrate_on_start:
                                self._migrate(pool)
                        except BaseException:
                            pool.close()  # a refused schema leaves no pool threads behind
                            raise
                    except ServiceUnavailable:
                        raise
                    except ImportError as exc:
                        raise ServiceUnavailable(
                            f"the PostgreSQL store needs psycopg ({exc}) — "
                            "pip install 'synth-ai[postgres]'"
                        ) from exc
                    except Exception as exc:  # noqa: BLE001 — psycopg may not be importable
                        raise unreachable(self.url, exc) from exc
                    self._pool = pool
        return self._pool

    @contextmanager
    def transaction(self, *, pipelined: bool = False) -> Iterator[Any]:
        """A connection inside one transaction: committed on success, rolled back on error.

        ``pipelined`` sends statements without waiting for their answers until one is read
        (``fetchone``…), so BEGIN with the reads a step needs, then its writes with the COMMIT,
        travel in one round trip each. For code that only learns results by fetching them (a
        ``rowcount`` is not known before the next read), and whose errors may surface at that
        read or at the COMMIT rather than at the statement that failed."""
        with self.pool.connection() as conn:
            if not pipelined:
                with conn.transaction():
                    yield conn
                return
            # BEGIN/COMMIT by hand: psycopg's transaction() waits for each in pipeline mode.
            try:
                with conn.pipeline():
                    conn.execute("BEGIN")
                    yield conn
                    conn.execute("COMMIT")
            except BaseException:
                conn.rollback()  # a no-op when the failed COMMIT already ended it
                raise

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        with self.pool.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    # -- migrations -------------------------------------------------------------------------
    def migrate(self) -> list[str]:
        """Apply pending migrations; returns the names applied (``0002_responses`` …)."""
        try:
            return self._migrate(self.pool)
        except ServiceUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001
            raise unreachable(self.url, exc) from exc

    def applied(self) -> list[int]:
        return sorted(self.recorded())

    def recorded(self) -> dict[int, str | None]:
        """Applied version -> checksum of its file (None when applied before checksums)."""
        with self.pool.connection() as conn:
            return _recorded(conn)

    def _migrate(self, pool) -> list[str]:
        with pool.connection() as conn:
            return runner.migrate(_Target(conn, _redact(self.url)), migration_files())


class _Target:
    """The PostgreSQL half of the shared migration runner."""

    def __init__(self, conn, where: str):
        self._conn = conn
        self.where = f"the PostgreSQL store at {where}"

    def recorded(self) -> dict[int, str | None]:
        return _recorded(self._conn)

    @contextmanager
    def exclusive(self) -> Iterator[_Target]:
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL, checksum TEXT)"
            )
            self._conn.execute(
                "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT"
            )
            yield self

    def apply(self, migration: runner.Migration) -> None:
        self._conn.execute(migration.sql)
        self._conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at, checksum) "
            "VALUES (%s, %s, now(), %s)",
            (migration.version, migration.name, migration.checksum),
        )


def _recorded(conn) -> dict[int, str | None]:
    """Read in one transaction, so the table cannot appear between the two statements."""
    with conn.transaction():
        if conn.execute("SELECT to_regclass('schema_migrations') AS t").fetchone()["t"] is None:
            return {}
        rows = conn.execute("SELECT * FROM schema_migrations").fetchall()
    return {row["version"]: row.get("checksum") for row in rows}


def unreachable(url: str, exc: BaseException) -> ServiceUnavailable:
    """The one line a user sees when PostgreSQL cannot be used."""
    import psycopg
    import psycopg_pool

    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.OperationalError | psycopg_pool.PoolTimeout):
        return ServiceUnavailable(
            f"PostgreSQL at {_redact(url)} is unreachable ({detail}) — start it, or fix "
            "[store] postgres_url / SYNTH_AI_POSTGRES_URL"
        )
    return ServiceUnavailable(
        f"PostgreSQL at {_redact(url)} failed while opening the store ({detail}) — "
        "check the database and the user's rights"
    )


def _redact(url: str) -> str:
    return re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", url)
