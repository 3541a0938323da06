"""The few places SQLite and PostgreSQL differ for the code both SQL stores share.

Shared SQL is written once with ``?`` placeholders and standard clauses both understand
(``ON CONFLICT … DO UPDATE … WHERE``, ``RETURNING``); a ``Dialect`` turns the placeholders into
its own, and says how a writing transaction is opened and how two writers of one key are made
to take turns.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any


class Dialect:
    placeholder = "?"
    row_lock = ""  # appended to a SELECT whose row the transaction then changes

    def sql(self, text: str) -> str:
        """``text`` (written with ``?``) in this dialect's placeholders."""
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)

    def write(self, database: Any) -> AbstractContextManager[Any]:
        """A transaction that will write: its connection, committed on success."""
        raise NotImplementedError

    def serialize(self, conn: Any, key: str) -> None:
        """Make writers of ``key`` take turns until this transaction ends."""

    @staticmethod
    def executemany(conn: Any, sql: str, rows: list[tuple]) -> None:
        cursor = conn.cursor()
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()


class SqliteDialect(Dialect):
    def write(self, database: Any) -> AbstractContextManager[Any]:
        # BEGIN IMMEDIATE takes the one write lock first: writers already take turns.
        return database.transaction(immediate=True)


class PostgresDialect(Dialect):
    placeholder = "%s"
    row_lock = " FOR UPDATE"

    def write(self, database: Any) -> AbstractContextManager[Any]:
        return database.transaction()

    def serialize(self, conn: Any, key: str) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 5))", (key,))


SQLITE = SqliteDialect()
POSTGRES = PostgresDialect()
