"""The few places SQLite and PostgreSQL differ for the code both SQL stores share.

Shared SQL is written once with ``?`` placeholders and portable clauses both engines understand
(``ON CONFLICT … DO UPDATE … WHERE``, ``CASE``, ``COUNT(*) AS n``). A ``Dialect`` supplies the
rest:

- the placeholder its driver wants (``?`` for sqlite3, ``%s`` for psycopg);
- how a writing transaction opens on its ``Database``, and how writers take turns: SQLite's
  ``BEGIN IMMEDIATE`` holds the whole file, so its ``row_lock`` is empty and ``serialize`` does
  nothing; PostgreSQL locks rows (``SELECT … FOR UPDATE``) and keys (advisory locks);
- a membership test for a list of values (``IN (?, ?)`` or ``= ANY(%s)``).

JSON columns are text on both engines (``json.dumps`` in, ``json.loads`` out), byte for byte what
the store wrote, so they need no dialect.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any


class Dialect:
    placeholder = "?"
    row_lock = ""  # appended to a SELECT whose rows the transaction then changes

    def sql(self, text: str) -> str:
        """``text`` (written with ``?``) in this dialect's placeholders."""
        return text if self.placeholder == "?" else _translate(text, self.placeholder)

    def write(self, database: Any) -> AbstractContextManager[Any]:
        """A transaction that will write: its driver connection, committed on success."""
        raise NotImplementedError

    def read(self, database: Any) -> AbstractContextManager[Any]:
        """A driver connection for reads outside a writing transaction."""
        raise NotImplementedError

    def serialize(self, conn: Connection, namespace: int, key: str) -> None:
        """Make writers of ``key`` (within ``namespace``) take turns until the transaction ends
        (nothing to do where the writing transaction already holds the whole database)."""

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        """``column`` is one of ``values``: the SQL condition and its parameters."""
        return f"{column} IN ({marks(len(values))})", tuple(values)

    @contextmanager
    def transaction(self, database: Any) -> Iterator[Connection]:
        """``write`` as a ``Connection`` that takes the shared ``?`` SQL."""
        with self.write(database) as raw:
            yield Connection(raw, self)

    @contextmanager
    def connection(self, database: Any) -> Iterator[Connection]:
        """``read`` as a ``Connection`` that takes the shared ``?`` SQL."""
        with self.read(database) as raw:
            yield Connection(raw, self)

    def query(self, database: Any, text: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows of one read through the database's own ``query``."""
        return database.query(self.sql(text), tuple(params))


class SqliteDialect(Dialect):
    def write(self, database: Any) -> AbstractContextManager[Any]:
        # BEGIN IMMEDIATE takes the one write lock first: writers already take turns.
        return database.transaction(immediate=True)

    def read(self, database: Any) -> AbstractContextManager[Any]:
        return nullcontext(database.connect())  # the thread's own connection, kept open


class PostgresDialect(Dialect):
    placeholder = "%s"
    row_lock = " FOR UPDATE"

    def write(self, database: Any) -> AbstractContextManager[Any]:
        return database.transaction()

    def read(self, database: Any) -> AbstractContextManager[Any]:
        return database.pool.connection()

    def serialize(self, conn: Connection, namespace: int, key: str) -> None:
        conn.execute(f"SELECT pg_advisory_xact_lock(hashtextextended(?, {int(namespace)}))", (key,))

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        return f"{column} = ANY(?)", (list(values),)


SQLITE = SqliteDialect()
POSTGRES = PostgresDialect()


def marks(count: int) -> str:
    """``count`` placeholders for a ``VALUES (…)`` or ``IN (…)`` list."""
    return ", ".join("?" * count)


@functools.lru_cache(maxsize=512)
def _translate(text: str, placeholder: str) -> str:
    return text.replace("?", placeholder)


class Connection:
    """A driver connection that takes the shared ``?`` SQL. ``execute`` returns the driver's
    cursor (``fetchone``, ``fetchall``, ``rowcount``); rows are read by column name."""

    def __init__(self, raw: Any, dialect: Dialect):
        self.raw = raw
        self.dialect = dialect

    def execute(self, text: str, params: Sequence[Any] = ()) -> Any:
        return self.raw.execute(self.dialect.sql(text), tuple(params))

    def executemany(self, text: str, rows: Iterable[Sequence[Any]]) -> None:
        cursor = self.raw.cursor()  # sqlite3 and psycopg alike
        try:
            cursor.executemany(self.dialect.sql(text), rows)
        finally:
            cursor.close()
