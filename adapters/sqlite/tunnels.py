"""Managed tunnels the backend issued, in the shared SQLite file."""

from __future__ import annotations

from synth_ai.adapters.sqlite.database import Database
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


class SqliteTunnelRecords:
    def __init__(self, db: Database):
        self._db = db

    def add(self, org_id: str, record: TunnelRecord) -> None:
        with self._db.transaction(immediate=True) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO tunnels (org_id, "
                + ", ".join(_COLUMNS)
                + ") VALUES (?"
                + ", ?" * len(_COLUMNS)
                + ")",
                (org_id, *(getattr(record, name) for name in _COLUMNS)),
            )

    def list(self, org_id: str) -> list[TunnelRecord]:
        rows = self._db.query(
            "SELECT * FROM tunnels WHERE org_id = ? ORDER BY created_at", (org_id,)
        )
        return [TunnelRecord(**{name: row[name] for name in _COLUMNS}) for row in rows]

    def find_subdomain(self, subdomain: str) -> tuple[str, TunnelRecord] | None:
        rows = self._db.query("SELECT * FROM tunnels WHERE subdomain = ?", (subdomain,))
        if not rows:
            return None
        row = rows[0]
        return row["org_id"], TunnelRecord(**{name: row[name] for name in _COLUMNS})
