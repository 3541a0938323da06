"""What differs between the SQL engines under the shared stores, behind one small object.

Shared queries are written once with ``?`` placeholders and portable SQL (``ON CONFLICT … DO
UPDATE``, ``CASE``, ``COUNT(*) AS n``). A ``Dialect`` supplies the rest:

- the placeholder its driver wants (``?`` for sqlite3, ``%s`` for psycopg);
- how a write transaction is opened on its ``Database`` and how it serialises writers: SQLite's
  ``BEGIN IMMEDIATE`` locks the whole file, so ``row_locks`` is false and the row locks
  (``SELECT … FOR UPDATE``) and advisory locks the shared code asks for are skipped; PostgreSQL
  takes them;
- a membership test for a list of values (``IN (?, ?)`` or ``= ANY(%s)``);
- ``executemany`` (a cursor's method in psycopg, the connection's in sqlite3).

JSON columns are text on both engines (``json.dumps`` in, ``json.loads`` out), written byte for
byte as the store produced them, so that needs no dialect.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any


class Dialect(abc.ABC):
    #: True when ``SELECT … FOR UPDATE`` and advisory locks are how writers take turns; false
    #: when the write transaction already holds the whole database.
    row_locks: bool = False
    placeholder: str = "?"

    @property
    def for_update(self) -> str:
        """What a locking ``SELECT`` ends with."""
        return " FOR UPDATE" if self.row_locks else ""

    def sql(self, text: str) -> str:
        """``text`` with its ``?`` placeholders as the driver wants them."""
        return text if self.placeholder == "?" else _translate(text, self.placeholder)

    @contextmanager
    def transaction(self, db: Any) -> Iterator[Connection]:
        """One write transaction on ``db``: committed on success, rolled back on error."""
        with self.open_transaction(db) as raw:
            yield Connection(raw, self)

    @contextmanager
    def connection(self, db: Any) -> Iterator[Connection]:
        """A connection on ``db`` for reads outside a write transaction."""
        with self.open_connection(db) as raw:
            yield Connection(raw, self)

    @abc.abstractmethod
    def open_transaction(self, db: Any) -> AbstractContextManager[Any]:
        """The driver connection inside one write transaction on ``db``."""

    @abc.abstractmethod
    def open_connection(self, db: Any) -> AbstractContextManager[Any]:
        """The driver connection for reads outside a write transaction."""

    def query(self, db: Any, text: str, params: Sequence[Any] = ()) -> list[Any]:
        return db.query(self.sql(text), tuple(params))

    @abc.abstractmethod
    def executemany(self, conn: Any, text: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run ``text`` (already translated) once per row."""

    @abc.abstractmethod
    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        """``column`` is one of ``values``: the SQL condition and its parameters."""

    @abc.abstractmethod
    def serialise(self, conn: Connection, namespace: int, key: str) -> None:
        """Make writers of ``key`` (within ``namespace``) take turns until the transaction ends."""


def marks(count: int) -> str:
    """``count`` placeholders for a ``VALUES (…)`` list."""
    return ", ".join("?" * count)


@functools.lru_cache(maxsize=512)
def _translate(text: str, placeholder: str) -> str:
    return text.replace("?", placeholder)


class Connection:
    """A driver connection that takes the shared ``?`` SQL: ``execute`` returns the driver's
    cursor (``fetchone``, ``fetchall``, ``rowcount``); rows are read by column name."""

    def __init__(self, raw: Any, dialect: Dialect):
        self.raw = raw
        self.dialect = dialect

    def execute(self, text: str, params: Sequence[Any] = ()) -> Any:
        return self.raw.execute(self.dialect.sql(text), tuple(params))

    def executemany(self, text: str, rows: Iterable[Sequence[Any]]) -> None:
        self.dialect.executemany(self.raw, self.dialect.sql(text), rows)
