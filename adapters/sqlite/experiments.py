"""``ExperimentStore`` on SQLite: one machine, many worker processes (WAL, BEGIN IMMEDIATE)."""

from __future__ import annotations

from synth_ai.adapters.sql_common.dialect import SQLITE
from synth_ai.adapters.sql_common.experiments import SqlExperimentStore
from synth_ai.adapters.sqlite.database import Database


class SqliteExperimentStore(SqlExperimentStore):
    """The shared SQL experiment store on the SQLite file (``BEGIN IMMEDIATE`` serialises it)."""

    def __init__(self, database: Database):
        self._db = database

    _dialect = SQLITE
