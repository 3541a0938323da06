"""One SQLite file shared by every store: WAL, a connection per thread, short transactions.

Stores call ``ensure_schema`` with their own ``CREATE TABLE IF NOT EXISTS`` script once, and
use ``transaction(immediate=True)`` (``BEGIN IMMEDIATE``) for read-modify-write steps such as
budget reservations, so two writers never interleave.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Database:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()
        self._schema_lock = threading.Lock()
        self._schemas: set[str] = set()

    def connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self._make_private()
            conn = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    def _make_private(self) -> None:
        """The folder 0700 and the file 0600 (SQLite gives -wal/-shm the file's mode), as for
        config.toml: the database holds every org's sessions, prompts and usage."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for path, mode in ((folder, 0o700), (self.path, 0o600)):
            try:
                if path == self.path and not path.exists():
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                if path.stat().st_mode & 0o777 != mode and path.stat().st_uid == os.getuid():
                    os.chmod(path, mode)
            except FileExistsError:
                pass  # another thread created it a moment ago, with the same mode

    def ensure_schema(self, name: str, script: str) -> None:
        if name in self._schemas:
            return
        with self._schema_lock:
            if name not in self._schemas:
                self.connect().executescript(script)
                self._schemas.add(name)

    @contextmanager
    def transaction(self, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.connect().execute(sql, params).fetchall()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
