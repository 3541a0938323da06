"""Managed tunnels the backend issued, on PostgreSQL: the shared SQL records
(``adapters/sql_common/tunnels.py``) on this database; the table comes from migrations."""

from __future__ import annotations

from synth_ai.adapters.postgres.database import Database
from synth_ai.adapters.sql_common.dialect import POSTGRES
from synth_ai.adapters.sql_common.tunnels import SqlTunnelRecords


class PostgresTunnelRecords(SqlTunnelRecords):
    _dialect = POSTGRES

    def __init__(self, database: Database):
        self._db = database
