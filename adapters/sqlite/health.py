"""``/health`` of the SQLite store: the file is there, readable, not failing writes, disk free."""

from __future__ import annotations

import shutil
import sqlite3

from synth_ai.adapters.sqlite.database import Database
from synth_ai.ports.health import HealthReport

LOW_DISK_BYTES = 16 * 1024 * 1024


class SqliteHealth:
    name = "store"

    def __init__(self, database: Database):
        self._db = database

    def check(self) -> HealthReport:
        path = self._db.path
        if path.exists() and not path.is_file():
            return self._bad(f"{path.name} is not a file")
        if self._db.last_failure:
            return self._bad(f"the last write failed: {self._db.last_failure}")
        try:
            free = shutil.disk_usage(path.parent).free if path.parent.exists() else None
            if path.exists():
                self._db.query("SELECT count(*) FROM sqlite_master")
        except (OSError, sqlite3.Error, Exception) as exc:  # noqa: BLE001 - health never raises
            return self._bad(getattr(exc, "message", None) or type(exc).__name__)
        if free is not None and free < LOW_DISK_BYTES:
            return self._bad(f"only {free // 1024} KiB free on its disk")
        return HealthReport(self.name, True, "sqlite ok")

    def _bad(self, detail: str) -> HealthReport:
        return HealthReport(self.name, False, f"sqlite: {detail}")
