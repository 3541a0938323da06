"""SQLite adapters: the embedded default store under ``$SYNTH_AI_HOME/synth.db``."""

from synth_ai.adapters.sqlite.database import Database
from synth_ai.adapters.sqlite.sessions import SqliteSessionStore

__all__ = ["Database", "SqliteSessionStore"]
