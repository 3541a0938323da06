"""``SettleOutbox`` in a SQLite file of its own under the home (``settle-outbox.db``).

A file apart from ``synth.db`` and from Redis, so that whichever session store is failing, the
settles it could not take are kept on the local disk and survive a restart of ``serve``.
"""

from __future__ import annotations

import json
from pathlib import Path

from synth_ai.adapters.sqlite.database import Database
from synth_ai.adapters.wire import session_documents as docs
from synth_ai.domain.sessions.model import Amounts, PendingSettle


class SqliteSettleOutbox:
    def __init__(self, path: str | Path):
        self._db = Database(path, schema=__name__)  # its own migrations/, not synth.db's
        self.where = str(path)

    def put(self, pending: PendingSettle) -> None:
        document = {
            "entry": docs.to_doc(pending.entry),
            "actual": pending.actual.as_dict(),
            "reservation_id": pending.reservation_id,
        }
        with self._db.transaction(immediate=True) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO pending_settles (id, created_at, document) VALUES (?, ?, ?)",
                (pending.id, pending.entry.created_at, json.dumps(document)),
            )

    def pending(self, limit: int = 100) -> list[PendingSettle]:
        if not self._db.path.exists():
            return []  # nothing was ever kept: no file to create just to read it
        rows = self._db.query(
            "SELECT document FROM pending_settles ORDER BY created_at, id LIMIT ?", (limit,)
        )
        return [_pending(json.loads(row["document"])) for row in rows]

    def remove(self, pending_id: str) -> None:
        with self._db.transaction(immediate=True) as conn:
            conn.execute("DELETE FROM pending_settles WHERE id = ?", (pending_id,))

    def close(self) -> None:
        self._db.close()


def _pending(document: dict) -> PendingSettle:
    return PendingSettle(
        entry=docs.entry(document["entry"]),
        actual=Amounts(**document["actual"]),
        reservation_id=document["reservation_id"],
    )
