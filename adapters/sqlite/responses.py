"""``ResponseStore`` in the shared SQLite file: one row per (org, response id), JSON columns.

SQLite failures (locked past the busy timeout, disk full, unopenable file) are raised as
``ServiceUnavailable``, the port's error family, so the bridge can still end a stream with its
terminal event when the answer cannot be stored.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

from synth_ai.adapters.sql_common.dialect import SQLITE
from synth_ai.adapters.sql_common.responses import SqlResponseStore
from synth_ai.adapters.sqlite.database import Database
from synth_ai.domain.errors import ServiceUnavailable


class SqliteResponseStore(SqlResponseStore):
    _dialect = SQLITE

    def __init__(self, db: Database):
        self._db = db

    @contextmanager
    def _conn(self):
        try:
            yield self._db.connect()
        except sqlite3.Error as exc:
            raise ServiceUnavailable(
                f"the response store in {self._db.path} failed: {exc} — check that the file "
                "is writable and the disk has space"
            ) from exc
