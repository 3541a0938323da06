"""Managed tunnels the backend issued, in SQL: written once for SQLite and PostgreSQL.

``add`` replaces any record with the same id or subdomain (one row per subdomain), writers of
one subdomain taking turns (an advisory lock on PostgreSQL, the write transaction on SQLite) so
two replicas issuing it at once never collide. Subclasses set ``_db`` and ``_dialect``.
"""

from __future__ import annotations

from typing import Any

from synth_ai.adapters.sql_common.dialect import Dialect, marks
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
# The advisory-lock namespace of a subdomain (PostgreSQL): the same on every replica.
SUBDOMAIN_LOCK_NAMESPACE = 4


def _record(row: Any) -> TunnelRecord:
    return TunnelRecord(**{name: row[name] for name in _COLUMNS})


class SqlTunnelRecords:
    _db: Any
    _dialect: Dialect

    def add(self, org_id: str, record: TunnelRecord) -> None:
        with self._dialect.transaction(self._db) as conn:
            self._dialect.serialize(conn, SUBDOMAIN_LOCK_NAMESPACE, record.subdomain)
            conn.execute(
                "DELETE FROM tunnels WHERE id = ? OR subdomain = ?", (record.id, record.subdomain)
            )
            conn.execute(
                f"INSERT INTO tunnels (org_id, {', '.join(_COLUMNS)}) "
                f"VALUES ({marks(1 + len(_COLUMNS))})",
                (org_id, *(getattr(record, name) for name in _COLUMNS)),
            )

    def list(self, org_id: str) -> list[TunnelRecord]:
        rows = self._dialect.query(
            self._db, _SELECT + " WHERE org_id = ? ORDER BY created_at, id", (org_id,)
        )
        return [_record(row) for row in rows]

    def find_subdomain(self, subdomain: str) -> tuple[str, TunnelRecord] | None:
        rows = self._dialect.query(self._db, _SELECT + " WHERE subdomain = ?", (subdomain,))
        return (rows[0]["org_id"], _record(rows[0])) if rows else None
