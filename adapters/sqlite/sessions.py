"""``SessionStore`` on the shared SQLite file: one ``BEGIN IMMEDIATE`` per change.

Sessions are JSON documents in one row each (the domain rules run in Python inside the
transaction); the current session of each (org, user) is a row of ``session_current``, so two
first requests racing to create one end up sharing it. Reservations and the ledger are rows.
"""

from __future__ import annotations

from collections.abc import Callable

from attrs import evolve
from synth_ai.adapters.sqlite.database import Database
from synth_ai.adapters.wire import session_documents as docs
from synth_ai.domain.sessions import model, rules
from synth_ai.domain.sessions.errors import SessionIdTaken, SessionNotFound
from synth_ai.domain.sessions.model import Amounts, LedgerEntry, Reservation, Session

# Session ids are scoped per org: the key is (org_id, id). ``expires_at`` of a reservation is
# its lease end (see ``Reservation.expiry``).
SCHEMA = """
CREATE TABLE IF NOT EXISTS org_sessions (
    org_id TEXT NOT NULL, id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
    created_at REAL NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (org_id, id));
CREATE INDEX IF NOT EXISTS org_sessions_by_time ON org_sessions (org_id, created_at);
CREATE TABLE IF NOT EXISTS session_current (
    org_id TEXT NOT NULL, user_id TEXT NOT NULL, session_id TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id));
CREATE TABLE IF NOT EXISTS org_session_reservations (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, session_id TEXT NOT NULL,
    expires_at REAL NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS org_reservations_by_session
    ON org_session_reservations (org_id, session_id, expires_at);
CREATE TABLE IF NOT EXISTS usage_ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, org_id TEXT NOT NULL,
    session_id TEXT, created_at REAL NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_by_org ON usage_ledger (org_id, seq);
CREATE INDEX IF NOT EXISTS ledger_by_session ON usage_ledger (session_id, seq);
"""

# Databases written before ids were scoped per org keep sessions in ``sessions`` (keyed by id
# alone) and reservations in ``session_reservations``: copied over once, then dropped.
MIGRATE_V1 = """
INSERT OR IGNORE INTO org_sessions (org_id, id, user_id, status, created_at, doc)
    SELECT org_id, id, user_id, status, created_at, doc FROM sessions;
INSERT OR IGNORE INTO org_session_reservations (id, org_id, session_id, expires_at, doc)
    SELECT id, json_extract(doc, '$.org_id'), session_id,
        COALESCE(json_extract(doc, '$.expires_at'), created_at + 21600), doc
    FROM session_reservations;
DROP TABLE session_reservations;
DROP TABLE sessions;
"""


class SqliteSessionStore:
    def __init__(self, database: Database):
        self._db = database
        self._migrated = False

    def _conn(self):
        self._db.ensure_schema("sessions", SCHEMA)
        if not self._migrated:
            with self._db.transaction(immediate=True) as conn:
                old = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'"
                ).fetchone()
                if old:
                    for statement in MIGRATE_V1.strip().split(";\n"):
                        conn.execute(statement.rstrip(";"))
            self._migrated = True
        return self._db

    # -- helpers (inside a transaction) -----------------------------------------------------
    @staticmethod
    def _load(conn, org_id: str, session_id: str) -> Session | None:
        row = conn.execute(
            "SELECT doc FROM org_sessions WHERE org_id = ? AND id = ?", (org_id, session_id)
        ).fetchone()
        return docs.session(row["doc"]) if row else None

    @staticmethod
    def _save(conn, session: Session) -> None:
        conn.execute(
            "INSERT INTO org_sessions (id, org_id, user_id, status, created_at, doc) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(org_id, id) DO UPDATE SET status = excluded.status, doc = excluded.doc",
            (
                session.id,
                session.org_id,
                session.user_id,
                session.status,
                session.created_at,
                docs.dumps(session),
            ),
        )

    def _current(self, conn, org_id: str, user_id: str, now: float) -> Session | None:
        row = conn.execute(
            "SELECT session_id FROM session_current WHERE org_id = ? AND user_id = ?",
            (org_id, user_id),
        ).fetchone()
        if row is None:
            return None
        session = self._load(conn, org_id, row["session_id"])
        if session is None:
            return None
        checked = rules.effective(session, now)
        if checked.status not in model.CURRENT:
            if checked != session:
                self._save(conn, checked)
            conn.execute(
                "DELETE FROM session_current WHERE org_id = ? AND user_id = ?", (org_id, user_id)
            )
            return None
        return session

    # -- SessionStore -----------------------------------------------------------------------
    def create(self, session: Session, *, make_active: bool = True) -> Session:
        with self._conn().transaction(immediate=True) as conn:
            if self._load(conn, session.org_id, session.id) is not None:
                raise SessionIdTaken(
                    f"session {session.id!r} already exists — choose another id",
                    param="session_id",
                )
            if make_active:
                previous = self._current(conn, session.org_id, session.user_id, session.created_at)
                if previous is not None:
                    self._save(conn, rules.end(previous, session.created_at))
                conn.execute(
                    "INSERT OR REPLACE INTO session_current (org_id, user_id, session_id) VALUES (?, ?, ?)",
                    (session.org_id, session.user_id, session.id),
                )
            self._save(conn, session)
        return session

    def get(self, org_id: str, session_id: str) -> Session | None:
        rows = self._conn().query(
            "SELECT doc FROM org_sessions WHERE org_id = ? AND id = ?", (org_id, session_id)
        )
        return docs.session(rows[0]["doc"]) if rows else None

    def current(self, org_id: str, user_id: str, now: float) -> Session | None:
        with self._conn().transaction(immediate=True) as conn:
            return self._current(conn, org_id, user_id, now)

    def current_or_create(self, org_id: str, user_id: str, new: Session, now: float) -> Session:
        with self._conn().transaction(immediate=True) as conn:
            current = self._current(conn, org_id, user_id, now)
            if current is not None:
                return current
            self._save(conn, new)
            conn.execute(
                "INSERT OR REPLACE INTO session_current (org_id, user_id, session_id) VALUES (?, ?, ?)",
                (org_id, user_id, new.id),
            )
            return new

    def list(
        self,
        org_id: str,
        *,
        user_id: str | None = None,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
        now: float | None = None,
    ) -> list[Session]:
        sql, params = "SELECT doc FROM org_sessions WHERE org_id = ?", [org_id]
        if user_id is not None:
            sql, params = sql + " AND user_id = ?", [*params, user_id]
        if status is not None:
            stored = rules.stored_statuses(status) if now is not None else (status,)
            marks = ", ".join("?" for _ in stored)
            sql, params = sql + f" AND status IN ({marks})", [*params, *stored]
        sql += " ORDER BY created_at DESC, id DESC"
        if status is None or now is None:
            sql, params = sql + " LIMIT ? OFFSET ?", [*params, limit, offset]
            return [docs.session(row["doc"]) for row in self._conn().query(sql, tuple(params))]
        found = [docs.session(row["doc"]) for row in self._conn().query(sql, tuple(params))]
        return rules.with_status(found, status, now)[offset : offset + limit]

    def update(self, org_id: str, session_id: str, change: Callable[[Session], Session]) -> Session:
        with self._conn().transaction(immediate=True) as conn:
            session = self._load(conn, org_id, session_id)
            if session is None:
                raise SessionNotFound(f"no session {session_id!r}", param="session_id")
            changed = change(session)
            self._save(conn, changed)
            if changed.status not in model.CURRENT:
                conn.execute(
                    "DELETE FROM session_current WHERE org_id = ? AND session_id = ?",
                    (org_id, session_id),
                )
            return changed

    def reserve(
        self, reservation: Reservation, now: float, *, stale_before: float | None = None
    ) -> tuple[str, ...]:
        with self._conn().transaction(immediate=True) as conn:
            session = self._load(conn, reservation.org_id, reservation.session_id)
            if session is None:
                raise SessionNotFound(
                    f"no session {reservation.session_id!r}", param="X-Session-ID"
                )
            if stale_before is not None:
                session = self._release_stale(conn, session, stale_before, now)
            decision = rules.decide_reservation(session, reservation.amounts, now)
            if decision.session != session:
                self._save(conn, decision.session)
            if decision.refusal is None and decision.inactive is None:
                conn.execute(
                    "INSERT INTO org_session_reservations (id, org_id, session_id, expires_at, doc) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        reservation.id,
                        reservation.org_id,
                        reservation.session_id,
                        reservation.expiry(),
                        docs.dumps(reservation),
                    ),
                )
        decision.raise_if_refused()
        return decision.warnings

    def _release_stale(self, conn, session: Session, stale_before: float, now: float) -> Session:
        """Release the session's reservations whose lease lapsed, charging their progress."""
        rows = conn.execute(
            "SELECT id, doc FROM org_session_reservations "
            "WHERE org_id = ? AND session_id = ? AND expires_at < ?",
            (session.org_id, session.id, stale_before),
        ).fetchall()
        for row in rows:
            session, lapsed = rules.lapse(session, docs.reservation(row["doc"]), now)
            if lapsed is not None:
                self._append(conn, lapsed)
            conn.execute("DELETE FROM org_session_reservations WHERE id = ?", (row["id"],))
        if rows:
            self._save(conn, session)
        return session

    def release_lapsed(self, org_id: str, session_id: str, now: float) -> Session | None:
        with self._conn().transaction(immediate=True) as conn:
            session = self._load(conn, org_id, session_id)
            return None if session is None else self._release_stale(conn, session, now, now)

    def renew(self, reservation_id: str, expires_at: float, progress: Amounts) -> bool:
        with self._conn().transaction(immediate=True) as conn:
            row = conn.execute(
                "SELECT doc FROM org_session_reservations WHERE id = ?", (reservation_id,)
            ).fetchone()
            if row is None:
                return False
            held = evolve(docs.reservation(row["doc"]), expires_at=expires_at, progress=progress)
            conn.execute(
                "UPDATE org_session_reservations SET expires_at = ?, doc = ? WHERE id = ?",
                (held.expiry(), docs.dumps(held), reservation_id),
            )
            return True

    def settle(self, reservation_id: str, actual: Amounts, entry: LedgerEntry, now: float) -> bool:
        with self._conn().transaction(immediate=True) as conn:
            row = conn.execute(
                "SELECT doc FROM org_session_reservations WHERE id = ?", (reservation_id,)
            ).fetchone()
            if row is None:
                return False
            held = docs.reservation(row["doc"])
            conn.execute("DELETE FROM org_session_reservations WHERE id = ?", (reservation_id,))
            session = self._load(conn, held.org_id, held.session_id)
            if session is not None:
                self._save(conn, rules.settle(session, held.amounts, actual, now))
            self._append(conn, entry)
            return True

    def get_reservation(self, reservation_id: str) -> Reservation | None:
        rows = self._conn().query(
            "SELECT doc FROM org_session_reservations WHERE id = ?", (reservation_id,)
        )
        return docs.reservation(rows[0]["doc"]) if rows else None

    def open_reservations(self) -> dict[str, int]:
        rows = self._conn().query(
            "SELECT org_id, COUNT(*) AS n FROM org_session_reservations GROUP BY org_id"
        )
        return {row["org_id"]: row["n"] for row in rows}

    def held_reservations(self, org_id: str, session_id: str) -> list[Reservation]:
        rows = self._conn().query(
            "SELECT doc FROM org_session_reservations WHERE org_id = ? AND session_id = ?",
            (org_id, session_id),
        )
        return docs.oldest_first(docs.reservation(row["doc"]) for row in rows)

    def record(self, entry: LedgerEntry) -> None:
        with self._conn().transaction() as conn:
            self._append(conn, entry)

    @staticmethod
    def _append(conn, entry: LedgerEntry) -> None:
        conn.execute(
            "INSERT INTO usage_ledger (id, org_id, session_id, created_at, doc) VALUES (?, ?, ?, ?, ?)",
            (entry.id, entry.org_id, entry.session_id, entry.created_at, docs.dumps(entry)),
        )

    def ledger(
        self,
        org_id: str,
        *,
        session_id: str | None = None,
        no_session: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[LedgerEntry]:
        sql, params = "SELECT doc FROM usage_ledger WHERE org_id = ?", [org_id]
        if session_id is not None:
            sql, params = sql + " AND session_id = ?", [*params, session_id]
        elif no_session:
            sql += " AND session_id IS NULL"
        sql += " ORDER BY seq DESC LIMIT ? OFFSET ?"
        return [docs.entry(row["doc"]) for row in self._conn().query(sql, (*params, limit, offset))]
