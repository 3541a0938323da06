"""``ExperimentStore`` on PostgreSQL: workers and schedulers on many machines.

The shared SQL store with row locks: every step that changes an experiment's jobs first takes
that experiment's row lock (``SELECT … FOR UPDATE``), so steps on one experiment are serialised
while different experiments proceed in parallel (see ``adapters/sql_common/experiments.py``).
"""

from __future__ import annotations

from synth_ai.adapters.postgres.database import Database
from synth_ai.adapters.sql_common.dialect import POSTGRES
from synth_ai.adapters.sql_common.experiments import SqlExperimentStore


class PostgresExperimentStore(SqlExperimentStore):
    """The shared SQL experiment store on PostgreSQL; its tables come from migrations."""

    _dialect = POSTGRES

    def __init__(self, database: Database):
        self._db = database
