"""Managed tunnels the backend issued, in the shared SQLite file: the shared SQL records
(``adapters/sql_common/tunnels.py``) on this database."""

from __future__ import annotations

from synth_ai.adapters.sql_common.dialect import SQLITE
from synth_ai.adapters.sql_common.tunnels import SqlTunnelRecords
from synth_ai.adapters.sqlite.database import Database


class SqliteTunnelRecords(SqlTunnelRecords):
    def __init__(self, db: Database):
        self._db = db

    _dialect = SQLITE
