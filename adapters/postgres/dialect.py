"""PostgreSQL's side of the shared SQL stores: ``%s`` placeholders, a pooled connection per
transaction, ``SELECT … FOR UPDATE`` row locks and transaction-level advisory locks so writers
on several replicas take turns, and ``= ANY(%s)`` with one array parameter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from synth_ai.adapters.sql.dialect import Connection, Dialect


class PostgresDialect(Dialect):
    row_locks = True
    placeholder = "%s"

    def open_transaction(self, db: Any) -> AbstractContextManager[Any]:
        return db.transaction()

    def open_connection(self, db: Any) -> AbstractContextManager[Any]:
        return db.pool.connection()

    def executemany(self, conn: Any, text: str, rows: Iterable[Sequence[Any]]) -> None:
        with conn.cursor() as cursor:
            cursor.executemany(text, rows)

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        return f"{column} = ANY(?)", (list(values),)

    def serialise(self, conn: Connection, namespace: int, key: str) -> None:
        conn.execute(f"SELECT pg_advisory_xact_lock(hashtextextended(?, {int(namespace)}))", (key,))


POSTGRES = PostgresDialect()
