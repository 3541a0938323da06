"""Managed tunnels the backend issued, in the shared SQLite file: the shared SQL records
(``adapters/sql_common/tunnels.py``) on this database."""

from __future__ import annotations

from synth_ai.adapters.sql_common.dialect import SQLITE
from synth_ai.adapters.sql_common.tunnels import SqlTunnelRecords
from synth_ai.adapters.sqlite.database import Database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tunnels (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    subdomain TEXT NOT NULL UNIQUE,
    hostname TEXT NOT NULL,
    local_host TEXT NOT NULL,
    local_port INTEGER NOT NULL,
    tunnel_token TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    cloudflare_tunnel_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tunnels_org ON tunnels(org_id, created_at);
"""


class SqliteTunnelRecords(SqlTunnelRecords):
    def __init__(self, db: Database):
        self._database = db

    @property
    def _db(self) -> Database:
        """The database, its table created on first use (nothing opens the file at start)."""
        self._database.ensure_schema("tunnels", _SCHEMA)
        return self._database

    _dialect = SQLITE
