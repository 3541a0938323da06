"""``ResponseStore`` on PostgreSQL: the shared SQL store (``adapters/sql_common/responses.py``), each
statement in its own transaction, psycopg's failures raised as ``ServiceUnavailable``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from synth_ai.adapters.postgres.database import Database
from synth_ai.adapters.sql_common.dialect import POSTGRES
from synth_ai.adapters.sql_common.responses import SqlResponseStore
from synth_ai.domain.errors import ServiceUnavailable


class PostgresResponseStore(SqlResponseStore):
    _dialect = POSTGRES

    def __init__(self, database: Database):
        self._db = database

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        import psycopg

        try:
            with self._db.transaction() as conn:
                yield conn
        except psycopg.Error as exc:
            raise ServiceUnavailable(
                f"the response store in PostgreSQL failed: {exc} — check the server and its disk"
            ) from exc
