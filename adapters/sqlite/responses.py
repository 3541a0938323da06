"""``ResponseStore`` in the shared SQLite file: one row per (org, response id), JSON columns."""

from __future__ import annotations

import json

from synth_ai.adapters.sqlite.database import Database
from synth_ai.domain.responses.record import StoredResponse

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    org_id       TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   REAL NOT NULL,
    response     TEXT NOT NULL,
    input_items  TEXT NOT NULL,
    output_items TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
"""


class SqliteResponseStore:
    def __init__(self, db: Database):
        self._db = db

    def _conn(self):
        self._db.ensure_schema("responses", SCHEMA)
        return self._db.connect()

    def save(self, record: StoredResponse) -> None:
        self._conn().execute(
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
        row = (
            self._conn()
            .execute("SELECT * FROM responses WHERE org_id = ? AND id = ?", (org_id, response_id))
            .fetchone()
        )
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
