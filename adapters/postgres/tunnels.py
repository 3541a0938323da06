"""Managed tunnels the backend issued, on PostgreSQL.

``add`` replaces any record with the same id or subdomain (as SQLite's ``INSERT OR REPLACE``
does), under an advisory lock on the subdomain so two replicas issuing it at once never collide.
"""

from __future__ import annotations

from synth_ai.adapters.postgres.database import Database
from synth_ai.domain.tunnels.model import TunnelRecord

_COLUMNS = (
    "id",
    "subdomain",
    "hostname",
    "local_host",
    "local_port",
    "tunnel_token",
    "status",
    "created_at",
    "cloudflare_tunnel_id",
)
_SELECT = "SELECT org_id, " + ", ".join(_COLUMNS) + " FROM tunnels"


def _record(row: dict) -> TunnelRecord:
    return TunnelRecord(**{name: row[name] for name in _COLUMNS})


class PostgresTunnelRecords:
    def __init__(self, database: Database):
        self._db = database

    def add(self, org_id: str, record: TunnelRecord) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 4))", (record.subdomain,)
            )
            conn.execute(
                "DELETE FROM tunnels WHERE id = %s OR subdomain = %s", (record.id, record.subdomain)
            )
            conn.execute(
                "INSERT INTO tunnels (org_id, "
                + ", ".join(_COLUMNS)
                + ") VALUES (%s"
                + ", %s" * len(_COLUMNS)
                + ")",
                (org_id, *(getattr(record, name) for name in _COLUMNS)),
            )

    def list(self, org_id: str) -> list[TunnelRecord]:
        rows = self._db.query(_SELECT + " WHERE org_id = %s ORDER BY created_at, id", (org_id,))
        return [_record(row) for row in rows]

    def find_subdomain(self, subdomain: str) -> tuple[str, TunnelRecord] | None:
        rows = self._db.query(_SELECT + " WHERE subdomain = %s", (subdomain,))
        return (rows[0]["org_id"], _record(rows[0])) if rows else None
