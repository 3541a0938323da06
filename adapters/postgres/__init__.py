"""PostgreSQL adapters: the durable shared store for several replicas and machines."""

from synth_ai.adapters.postgres.database import Database
from synth_ai.adapters.postgres.sessions import PostgresSessionStore

__all__ = ["Database", "PostgresSessionStore"]
