"""``SessionStore`` on PostgreSQL: one transaction per change, row locks on the session.

Every change to a session reads it with ``SELECT … FOR UPDATE`` inside the transaction that
writes it back, so reservations from any number of threads, processes or replicas on any
machine queue on the row and the pure rules of ``synth_ai.domain.sessions.rules`` see the
latest amounts. Locks are always taken session first, reservation second (``settle`` looks the
reservation up without a lock, locks the session, then deletes the reservation), so a settle and
a reserve releasing lapsed leases never deadlock. The (org, user) current-session slot is guarded
by a transaction-level advisory lock, since the row to lock may not exist yet.
"""

from __future__ import annotations

from collections.abc import Callable

from attrs import evolve
from synth_ai.adapters.postgres.database import Database
from synth_ai.adapters.wire import session_documents as docs
from synth_ai.domain.sessions import model, rules
from synth_ai.domain.sessions.errors import SessionIdTaken, SessionNotFound
from synth_ai.domain.sessions.model import Amounts, LedgerEntry, Reservation, Session

_LOAD = "SELECT doc FROM org_sessions WHERE org_id = %s AND id = %s"


class PostgresSessionStore:
    def __init__(self, database: Database):
        self._db = database

    # -- helpers (inside a transaction) -----------------------------------------------------
    @staticmethod
    def _load(conn, org_id: str, session_id: str, *, lock: bool = True) -> Session | None:
        row = conn.execute(_LOAD + (" FOR UPDATE" if lock else ""), (org_id, session_id)).fetchone()
        return docs.session(row["doc"]) if row else None

    @staticmethod
    def _save(conn, session: Session) -> None:
        conn.execute(
            "INSERT INTO org_sessions (id, org_id, user_id, status, created_at, doc) "
            "VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (org_id, id) DO UPDATE SET status = excluded.status, doc = excluded.doc",
            (
                session.id,
                session.org_id,
                session.user_id,
                session.status,
                session.created_at,
                docs.dumps(session),
            ),
        )

    @staticmethod
    def _lock_slot(conn, org_id: str, user_id: str) -> None:
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 16))", (f"{org_id}\x1f{user_id}",)
        )

    @staticmethod
    def _set_current(conn, org_id: str, user_id: str, session_id: str) -> None:
        conn.execute(
            "INSERT INTO session_current (org_id, user_id, session_id) VALUES (%s, %s, %s) "
            "ON CONFLICT (org_id, user_id) DO UPDATE SET session_id = excluded.session_id",
            (org_id, user_id, session_id),
        )

    def _current(self, conn, org_id: str, user_id: str, now: float) -> Session | None:
        """The slot's session (the caller holds the slot lock)."""
        row = conn.execute(
            "SELECT session_id FROM session_current WHERE org_id = %s AND user_id = %s",
            (org_id, user_id),
        ).fetchone()
        if row is None:
            return None
        # Read without a row lock first: a lock is a write (WAL, a flushed commit), and the
        # common answer, "still current", changes nothing.
        session = self._load(conn, org_id, row["session_id"], lock=False)
        if session is None or rules.effective(session, now).status in model.CURRENT:
            return session
        session = self._load(conn, org_id, row["session_id"])
        if session is None:
            return None
        checked = rules.effective(session, now)
        if checked.status not in model.CURRENT:
            if checked != session:
                self._save(conn, checked)
            conn.execute(
                "DELETE FROM session_current WHERE org_id = %s AND user_id = %s", (org_id, user_id)
            )
            return None
        return session

    # -- SessionStore -----------------------------------------------------------------------
    def create(self, session: Session, *, make_active: bool = True) -> Session:
        with self._db.transaction() as conn:
            if make_active:
                self._lock_slot(conn, session.org_id, session.user_id)
            inserted = conn.execute(
                "INSERT INTO org_sessions (id, org_id, user_id, status, created_at, doc) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (org_id, id) DO NOTHING",
                (
                    session.id,
                    session.org_id,
                    session.user_id,
                    session.status,
                    session.created_at,
                    docs.dumps(session),
                ),
            ).rowcount
            if not inserted:
                raise SessionIdTaken(
                    f"session {session.id!r} already exists — choose another id",
                    param="session_id",
                )
            if make_active:
                previous = self._current(conn, session.org_id, session.user_id, session.created_at)
                if previous is not None and previous.id != session.id:
                    self._save(conn, rules.end(previous, session.created_at))
                self._set_current(conn, session.org_id, session.user_id, session.id)
        return session

    def get(self, org_id: str, session_id: str) -> Session | None:
        rows = self._db.query(_LOAD, (org_id, session_id))
        return docs.session(rows[0]["doc"]) if rows else None

    def current(self, org_id: str, user_id: str, now: float) -> Session | None:
        with self._db.transaction() as conn:
            self._lock_slot(conn, org_id, user_id)
            return self._current(conn, org_id, user_id, now)

    def current_or_create(self, org_id: str, user_id: str, new: Session, now: float) -> Session:
        with self._db.transaction() as conn:
            self._lock_slot(conn, org_id, user_id)
            current = self._current(conn, org_id, user_id, now)
            if current is not None:
                return current
            self._save(conn, new)
            self._set_current(conn, org_id, user_id, new.id)
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
        sql, params = "SELECT doc FROM org_sessions WHERE org_id = %s", [org_id]
        if user_id is not None:
            sql, params = sql + " AND user_id = %s", [*params, user_id]
        if status is not None:
            stored = rules.stored_statuses(status) if now is not None else (status,)
            sql, params = sql + " AND status = ANY(%s)", [*params, list(stored)]
        sql += " ORDER BY created_at DESC, id DESC"
        if status is None or now is None:
            sql, params = sql + " LIMIT %s OFFSET %s", [*params, limit, offset]
            return [docs.session(row["doc"]) for row in self._db.query(sql, tuple(params))]
        found = [docs.session(row["doc"]) for row in self._db.query(sql, tuple(params))]
        return rules.with_status(found, status, now)[offset : offset + limit]

    def update(self, org_id: str, session_id: str, change: Callable[[Session], Session]) -> Session:
        with self._db.transaction() as conn:
            session = self._load(conn, org_id, session_id)
            if session is None:
                raise SessionNotFound(f"no session {session_id!r}", param="session_id")
            changed = change(session)
            self._save(conn, changed)
            if changed.status not in model.CURRENT:
                conn.execute(
                    "DELETE FROM session_current WHERE org_id = %s AND session_id = %s",
                    (org_id, session_id),
                )
            return changed

    def reserve(
        self, reservation: Reservation, now: float, *, stale_before: float | None = None
    ) -> tuple[str, ...]:
        with self._db.transaction() as conn:
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
                    "VALUES (%s, %s, %s, %s, %s)",
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
            "DELETE FROM org_session_reservations "
            "WHERE org_id = %s AND session_id = %s AND expires_at < %s RETURNING doc",
            (session.org_id, session.id, stale_before),
        ).fetchall()
        for row in sorted(rows, key=lambda r: r["doc"]):
            session, lapsed = rules.lapse(session, docs.reservation(row["doc"]), now)
            if lapsed is not None:
                self._append(conn, lapsed)
        if rows:
            self._save(conn, session)
        return session

    def release_lapsed(self, org_id: str, session_id: str, now: float) -> Session | None:
        with self._db.transaction() as conn:
            lapsed = conn.execute(
                "SELECT 1 FROM org_session_reservations "
                "WHERE org_id = %s AND session_id = %s AND expires_at < %s LIMIT 1",
                (org_id, session_id, now),
            ).fetchone()
            if lapsed is None:  # nothing to release: a plain read, no lock, no write
                return self._load(conn, org_id, session_id, lock=False)
            session = self._load(conn, org_id, session_id)
            return None if session is None else self._release_stale(conn, session, now, now)

    def renew(self, reservation_id: str, expires_at: float, progress: Amounts) -> bool:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT doc FROM org_session_reservations WHERE id = %s FOR UPDATE",
                (reservation_id,),
            ).fetchone()
            if row is None:
                return False
            held = evolve(docs.reservation(row["doc"]), expires_at=expires_at, progress=progress)
            conn.execute(
                "UPDATE org_session_reservations SET expires_at = %s, doc = %s WHERE id = %s",
                (held.expiry(), docs.dumps(held), reservation_id),
            )
            return True

    def settle(self, reservation_id: str, actual: Amounts, entry: LedgerEntry, now: float) -> bool:
        with self._db.transaction() as conn:
            found = conn.execute(
                "SELECT org_id, session_id FROM org_session_reservations WHERE id = %s",
                (reservation_id,),
            ).fetchone()
            if found is None:
                return False
            session = self._load(conn, found["org_id"], found["session_id"])  # lock order
            row = conn.execute(
                "DELETE FROM org_session_reservations WHERE id = %s RETURNING doc",
                (reservation_id,),
            ).fetchone()
            if row is None:  # settled or released while we waited for the session
                return False
            held = docs.reservation(row["doc"])
            if session is not None:
                self._save(conn, rules.settle(session, held.amounts, actual, now))
            self._append(conn, entry)
            return True

    def get_reservation(self, reservation_id: str) -> Reservation | None:
        rows = self._db.query(
            "SELECT doc FROM org_session_reservations WHERE id = %s", (reservation_id,)
        )
        return docs.reservation(rows[0]["doc"]) if rows else None

    def open_reservations(self) -> dict[str, int]:
        rows = self._db.query(
            "SELECT org_id, COUNT(*) AS n FROM org_session_reservations GROUP BY org_id"
        )
        return {row["org_id"]: int(row["n"]) for row in rows}

    def held_reservations(self, org_id: str, session_id: str) -> list[Reservation]:
        rows = self._db.query(
            "SELECT doc FROM org_session_reservations WHERE org_id = %s AND session_id = %s",
            (org_id, session_id),
        )
        return docs.oldest_first(docs.reservation(row["doc"]) for row in rows)

    def record(self, entry: LedgerEntry) -> None:
        with self._db.transaction() as conn:
            self._append(conn, entry)

    @staticmethod
    def _append(conn, entry: LedgerEntry) -> None:
        conn.execute(
            "INSERT INTO usage_ledger (id, org_id, session_id, created_at, doc) "
            "VALUES (%s, %s, %s, %s, %s)",
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
        sql, params = "SELECT doc FROM usage_ledger WHERE org_id = %s", [org_id]
        if session_id is not None:
            sql, params = sql + " AND session_id = %s", [*params, session_id]
        elif no_session:
            sql += " AND session_id IS NULL"
        sql += " ORDER BY seq DESC LIMIT %s OFFSET %s"
        return [docs.entry(row["doc"]) for row in self._db.query(sql, (*params, limit, offset))]
