"""One SQLite file shared by every store: WAL, a connection per thread, short transactions.

The schema is the numbered files in ``migrations/``, applied by the first connection a process
opens (or by ``synth-ai db migrate``) under the rules every SQL store shares — see
``synth_ai.adapters.sqlite.schema``. Stores use ``transaction(immediate=True)`` (``BEGIN IMMEDIATE``) for read-modify-write steps such as
budget reservations, so two writers never interleave.

A full disk, a read-only or damaged file is ``StoreUnavailable`` (a 503), the transaction rolled
back so nothing is half-written; ``last_failure`` keeps it for ``/health`` for 30 s or until a
write succeeds again. ``verify()`` refuses, at start, a file that is not a sound database.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synth_ai.adapters.sql_common import migrations as runner
from synth_ai.adapters.sqlite.schema import STORE_SCHEMA, SqliteMigrationTarget, migration_files
from synth_ai.domain.errors import ServiceUnavailable

log = logging.getLogger("synth_ai.sqlite")


class StoreUnavailable(ServiceUnavailable):
    """The database cannot serve the request (disk full, read-only, damaged, unreadable)."""

    code = "store_unavailable"


class DatabaseDamaged(ServiceUnavailable):
    """The database file is not a sound SQLite database (found at start)."""

    code = "database_damaged"


_PROBLEMS = {
    "SQLITE_FULL": "its disk is full",
    "SQLITE_READONLY": "its database is read-only",
    "SQLITE_CORRUPT": "its database is damaged",
    "SQLITE_NOTADB": "its database file is not a database",
    "SQLITE_CANTOPEN": "it cannot open its database",
    "SQLITE_IOERR": "its disk failed (I/O error)",
    "SQLITE_BUSY": "its database is busy",
    "SQLITE_LOCKED": "its database is locked",
}


def _problem(exc: sqlite3.Error) -> str | None:
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, problem in _PROBLEMS.items():
        if name.startswith(prefix):
            return problem
    text = str(exc).lower()
    if "disk is full" in text:
        return _PROBLEMS["SQLITE_FULL"]
    if "readonly" in text:
        return _PROBLEMS["SQLITE_READONLY"]
    if "malformed" in text or "not a database" in text:
        return _PROBLEMS["SQLITE_CORRUPT"]
    return None


def _use_wal(conn: sqlite3.Connection, wait: float = 30.0) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another process is switching a new file at
    the same moment: SQLite answers "database is locked" there without calling the busy
    handler, so two servers starting on a fresh synth.db would otherwise fail at random."""
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


FAILURE_MEMORY = 30.0  # seconds
_STORE_ERRORS = (sqlite3.OperationalError, sqlite3.DatabaseError)  # not Integrity/Programming


class Database:
    def __init__(self, path: str | Path, schema: str = STORE_SCHEMA):
        """``schema``: the package whose ``migrations/`` this file follows (synth.db's by
        default; a file of its own, such as the settle outbox, brings its own)."""
        self.path = Path(path)
        self._schema = schema
        self._local = threading.local()
        self._migrate_lock = threading.Lock()
        self._migrated = False
        self._last_failure: tuple[str, float] | None = None

    def connect(self) -> sqlite3.Connection:
        """This thread's connection; the process's first one applies pending migrations."""
        conn = self._connection()
        if not self._migrated:
            self._migrate(conn)
        return conn

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self._make_private()
            conn = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            _use_wal(conn)
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

    def migrate(self) -> list[str]:
        """Apply pending migrations now (``serve`` at start, ``synth-ai db migrate``); returns
        the names applied (``0002_responses`` …)."""
        return self._migrate(self._connection(), again=True)

    def _migrate(self, conn: sqlite3.Connection, *, again: bool = False) -> list[str]:
        """The shared runner with SQLite's ``BEGIN IMMEDIATE`` as its lock across processes;
        once per process unless ``again`` (threads wait here for the first)."""
        with self._migrate_lock:
            if self._migrated and not again:
                return []
            with self._failures():
                target = SqliteMigrationTarget(conn, str(self.path))
                applied = runner.migrate(target, migration_files(self._schema))
            if applied:
                log.info("database %s: applied %s", self.path, ", ".join(applied))
            self._migrated = True
            return applied

    def recorded(self) -> dict[int, str | None]:
        """Applied version -> checksum of its file, read without migrating."""
        if not self.path.exists():
            return {}
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            with self._failures():
                return SqliteMigrationTarget(conn, str(self.path)).recorded()
        finally:
            conn.close()

    @contextmanager
    def transaction(self, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        with self._failures():
            conn = self.connect()
            conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # also after a COMMIT that failed (disk full)
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
            self._last_failure = None

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._failures():
            return self.connect().execute(sql, params).fetchall()

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """SQLite failures of the store itself as one clean ``StoreUnavailable``."""
        try:
            yield
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            problem = _problem(exc) if type(exc) in _STORE_ERRORS else None
            if problem is None:
                raise
            log.error("database %s: %s (%s)", self.path, problem, exc)
            self._last_failure = (problem, time.monotonic())
            raise StoreUnavailable(
                f"the backend cannot use its store ({self.path.name}) now: {problem} — nothing "
                "was changed; "
                "retry later (the operator sees the details in the server log)"
            ) from exc

    @property
    def last_failure(self) -> str | None:
        """What made the store fail within the last ``FAILURE_MEMORY`` seconds, if no write
        succeeded since (so ``/health`` recovers by itself once the operator fixed it)."""
        failure = self._last_failure
        if failure is None or time.monotonic() - failure[1] > FAILURE_MEMORY:
            return None
        return failure[0]

    def verify(self) -> None:
        """Refuse a file that exists but is not a sound database (``DatabaseDamaged``).

        A missing file is fine (it is created); an empty one is not: synth-ai never leaves
        the file empty, so zero bytes mean it was truncated, and taking it as a new database
        would silently drop every session and artifact.
        """
        path = self.path
        if not path.exists() and not path.is_symlink():
            return
        fix = "restore it from a backup, or move it away to start with no data"
        if path.is_dir():
            raise DatabaseDamaged(f"{path} is a directory, not a database — {fix}")
        if not path.is_file():
            raise DatabaseDamaged(f"{path} is not a regular file — {fix}")
        if path.stat().st_size == 0:
            raise DatabaseDamaged(f"{path} is empty (0 bytes), so it was truncated — {fix}")
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise DatabaseDamaged(f"{path} is not a usable database ({exc}) — {fix}") from exc
        if verdict != "ok":
            raise DatabaseDamaged(f"{path} is damaged ({verdict}) — {fix}")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
