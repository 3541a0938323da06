"""``ResponseStore`` on SQL, written once for SQLite and PostgreSQL: one row per (org, response
id), JSON as text, byte for byte what the bridge wrote.

Subclasses supply ``_dialect`` and ``_conn()``: a driver connection whose failures surface as
``ServiceUnavailable``, the port's error family, so the bridge can still end a stream with its
terminal event when the answer cannot be stored.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from synth_ai.adapters.sql_common.dialect import Connection, Dialect
from synth_ai.domain.responses.record import StoredResponse

_COLUMNS = "org_id, id, created_at, response, input_items, output_items"


class SqlResponseStore(abc.ABC):
    _dialect: Dialect

    @abc.abstractmethod
    def _conn(self) -> AbstractContextManager[Any]:
        """A driver connection; the engine's failures raised as ``ServiceUnavailable``."""

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        with self._conn() as raw:
            yield Connection(raw, self._dialect)

    def save(self, record: StoredResponse) -> None:
        with self._connection() as conn:
            conn.execute(
                f"INSERT INTO responses ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (org_id, id) DO UPDATE SET created_at = excluded.created_at, "
                "response = excluded.response, input_items = excluded.input_items, "
                "output_items = excluded.output_items",
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
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM responses WHERE org_id = ? AND id = ?",
                (org_id, response_id),
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
