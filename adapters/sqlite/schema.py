"""The SQLite half of the shared migration runner (``synth_ai.adapters.sql_common.migrations``).

The migration lock is ``BEGIN IMMEDIATE``: SQLite's one writer at a time, across threads and
processes, so two servers starting on one file apply each migration once (the second waits for
the busy timeout, then finds it recorded). A file's statements run one by one inside that
transaction (``executescript`` would commit it early); SQLite's DDL is transactional, so a
failing migration leaves nothing behind.

The first files are written with ``IF NOT EXISTS``: a synth.db made before versioned migrations
(every store created its own tables on first use, so it may hold any subset of them) is adopted
by applying them, which creates only what is missing, keeps every row, and records the baseline.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from synth_ai.adapters.sql_common import migrations as runner

STORE_SCHEMA = "synth_ai.adapters.sqlite"  # synth.db: every store's tables


def migration_files(package: str = STORE_SCHEMA) -> list[runner.Migration]:
    """(version, name, sql) of every SQLite migration packaged with ``package`` (in its
    ``migrations/`` folder), in version order."""
    return runner.discover(package)


def statements(script: str) -> Iterator[str]:
    """The complete statements of ``script`` (a ``;`` inside a string or a trigger body does
    not end one: ``sqlite3.complete_statement`` decides)."""
    start = 0
    for end, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : end + 1]):
            statement = script[start : end + 1].strip()
            if _code(statement):
                yield statement
            start = end + 1
    if _code(script[start:]):
        raise ValueError(f"a migration ends with an unfinished statement: {script[start:]!r}")


def _code(text: str) -> bool:
    """Whether ``text`` holds more than blanks and ``--`` comments."""
    return any(line.split("--", 1)[0].strip() for line in text.splitlines())


class SqliteMigrationTarget:
    def __init__(self, conn: sqlite3.Connection, where: str):
        self._conn = conn
        self.where = where

    def recorded(self) -> dict[int, str | None]:
        table = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
        if table is None:
            return {}
        rows = self._conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
        return {version: checksum for version, checksum in rows}

    @contextmanager
    def exclusive(self) -> Iterator[SqliteMigrationTarget]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)"
            )
            yield self
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def apply(self, migration: runner.Migration) -> None:
        for statement in statements(migration.sql):
            self._conn.execute(statement)
        self._conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at, checksum) "
            "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?)",
            (migration.version, migration.name, migration.checksum),
        )
