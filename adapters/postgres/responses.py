"""``ResponseStore`` on PostgreSQL: one row per (org, response id), JSON as text.

Database failures are raised as ``ServiceUnavailable``, the port's error family, so the bridge
can still end a stream with its terminal event when the answer cannot be stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from synth_ai.adapters.postgres.database import Database
from synth_ai.domain.errors import ServiceUnavailable
from synth_ai.domain.responses.record import StoredResponse


class PostgresResponseStore:
    def __init__(self, database: Database):
        self._db = database

    @contextmanager
    def _guard(self) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.Error as exc:
            raise ServiceUnavailable(
                f"the response store in PostgreSQL failed: {exc} — check the server and its disk"
            ) from exc

    def save(self, record: StoredResponse) -> None:
        with self._guard(), self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO responses "
                "(org_id, id, created_at, response, input_items, output_items) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (org_id, id) DO UPDATE SET "
                "created_at = excluded.created_at, response = excluded.response, "
                "input_items = excluded.input_items, output_items = excluded.output_items",
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
        with self._guard():
            rows = self._db.query(
                "SELECT * FROM responses WHERE org_id = %s AND id = %s", (org_id, response_id)
            )
        if not rows:
            return None
        row = rows[0]
        return StoredResponse(
            id=row["id"],
            org_id=row["org_id"],
            response=json.loads(row["response"]),
            input_items=tuple(json.loads(row["input_items"])),
            output_items=tuple(json.loads(row["output_items"])),
            created_at=row["created_at"],
        )
