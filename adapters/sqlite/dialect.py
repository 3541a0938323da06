"""SQLite's side of the shared SQL stores: ``?`` placeholders, ``BEGIN IMMEDIATE`` write
transactions that hold the whole file (so no row or advisory locks are needed), ``IN (?, …)``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from synth_ai.adapters.sql.dialect import Connection, Dialect, marks


class SqliteDialect(Dialect):
    row_locks = False
    placeholder = "?"

    def open_transaction(self, db: Any) -> AbstractContextManager[Any]:
        return db.transaction(immediate=True)

    def open_connection(self, db: Any) -> AbstractContextManager[Any]:
        return nullcontext(db.connect())  # the thread's own connection, kept open

    def executemany(self, conn: Any, text: str, rows: Iterable[Sequence[Any]]) -> None:
        conn.executemany(text, rows)

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        return f"{column} IN ({marks(len(values))})", tuple(values)

    def serialise(self, conn: Connection, namespace: int, key: str) -> None:
        """Nothing to do: the ``BEGIN IMMEDIATE`` transaction already holds the whole file."""


SQLITE = SqliteDialect()
