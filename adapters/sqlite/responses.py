"""``ResponseStore`` in the shared SQLite file: one row per (org, response id), JSON columns.

SQLite failures (locked past the busy timeout, disk full, unopenable file) are raised as
``ServiceUnavailable``, the port's error family, so the bridge can still end a stream with its
terminal event when the answer cannot be stored.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager

from synth_ai.adapters.sqlite.database import Database
from synth_ai.domain.errors import ServiceUnavailable
from synth_ai.domain.responses.record import StoredResponse


class SqliteResponseStore:
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

    def save(self, record: StoredResponse) -> None:
        with self._conn() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO responses (org_id, id, created_at, response, input_items, output_items)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.org_id,
                    record.id,
                    record.created_at,
                    json.dumps(record.response),
                    json.dumps(list(record.input_items)),
                    json.dumps(list(record.output_items)),
                ),
            )

    def get(self, org_id: str, response_id: str) -> StoredResponse | None:
        with self._conn() as conn:
            row = conn.execute(
                "SELECT * FROM responses WHERE org_id = ? AND id = ?", (org_id, response_id)
            ).fetchone()
        if row is None:
            return None
        return StoredResponse(
            id=row["id"],
            org_id=row["org_id"],
            response=json.loads(row["response"]),
            input_items=tuple(json.loads(row["input_items"])),
            output_items=tuple(json.loads(row["output_items"])),
            created_at=row["created_at"],
        )
