"""Fakes of the session ports: the store."""

from __future__ import annotations

import threading

from attrs import evolve
from synth_ai.domain.sessions import rules
from synth_ai.domain.sessions.errors import SessionIdTaken, SessionNotFound
from synth_ai.domain.sessions.model import CURRENT


class FakeSessionStore:
    """An in-memory ``SessionStore``: one lock around the same pure rules the real stores use.
    Sessions are keyed by (org, id), as ids are scoped per org."""

    def __init__(self):
        self._lock = threading.RLock()
        self.sessions: dict = {}  # (org_id, id) -> Session
        self.pointers: dict = {}  # (org_id, user_id) -> id
        self.reservations: dict = {}
        self.entries: list = []

    def _put(self, session) -> None:
        self.sessions[(session.org_id, session.id)] = session

    def create(self, session, *, make_active=True):
        with self._lock:
            if (session.org_id, session.id) in self.sessions:
                raise SessionIdTaken(f"session {session.id!r} already exists")
            if make_active:
                previous = self._current(session.org_id, session.user_id, session.created_at)
                if previous is not None:
                    self._put(rules.end(previous, session.created_at))
                self.pointers[(session.org_id, session.user_id)] = session.id
            self._put(session)
            return session

    def _current(self, org_id, user_id, now):
        session_id = self.pointers.get((org_id, user_id))
        if session_id is None:
            return None
        session = rules.effective(self.sessions[(org_id, session_id)], now)
        self._put(session)
        if session.status not in CURRENT:
            del self.pointers[(org_id, user_id)]
            return None
        return session

    def get(self, org_id, session_id):
        return self.sessions.get((org_id, session_id))

    def current(self, org_id, user_id, now):
        with self._lock:
            return self._current(org_id, user_id, now)

    def current_or_create(self, org_id, user_id, new, now):
        with self._lock:
            current = self._current(org_id, user_id, now)
            if current is not None:
                return current
            self._put(new)
            self.pointers[(org_id, user_id)] = new.id
            return new

    def list(self, org_id, *, user_id=None, status=None, limit=100, offset=0, now=None):
        found = [
            s
            for s in self.sessions.values()
            if s.org_id == org_id
            and (user_id is None or s.user_id == user_id)
            and (status is None or now is not None or s.status == status)
        ]
        if now is not None:
            found = rules.with_status(found, status, now)
        found.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        return found[offset : offset + limit]

    def update(self, org_id, session_id, change):
        with self._lock:
            if (org_id, session_id) not in self.sessions:
                raise SessionNotFound(f"no session {session_id!r}")
            changed = change(self.sessions[(org_id, session_id)])
            self._put(changed)
            key = (changed.org_id, changed.user_id)
            if changed.status not in CURRENT and self.pointers.get(key) == session_id:
                del self.pointers[key]
            return changed

    def reserve(self, reservation, now, *, stale_before=None):
        with self._lock:
            session = self.sessions.get((reservation.org_id, reservation.session_id))
            if session is None:
                raise SessionNotFound(f"no session {reservation.session_id!r}")
            if stale_before is not None:
                session = self._release(session, stale_before, now)
            decision = rules.decide_reservation(session, reservation.amounts, now)
            self._put(decision.session)
            if decision.refusal is None and decision.inactive is None:
                self.reservations[reservation.id] = reservation
        decision.raise_if_refused()
        return decision.warnings

    def _release(self, session, stale_before, now):
        for held in list(self.reservations.values()):
            if (held.org_id, held.session_id) == (
                session.org_id,
                session.id,
            ) and held.expiry() < stale_before:
                session, lapsed = rules.lapse(session, held, now)
                if lapsed is not None:
                    self.entries.append(lapsed)
                del self.reservations[held.id]
        self._put(session)
        return session

    def release_lapsed(self, org_id, session_id, now):
        with self._lock:
            session = self.sessions.get((org_id, session_id))
            return None if session is None else self._release(session, now, now)

    def renew(self, reservation_id, expires_at, progress):
        with self._lock:
            held = self.reservations.get(reservation_id)
            if held is None:
                return False
            self.reservations[reservation_id] = evolve(
                held, expires_at=expires_at, progress=progress
            )
            return True

    def settle(self, reservation_id, actual, entry, now):
        with self._lock:
            held = self.reservations.pop(reservation_id, None)
            if held is None:
                return False
            session = self.sessions.get((held.org_id, held.session_id))
            if session is not None:
                self._put(rules.settle(session, held.amounts, actual, now))
            self.entries.append(entry)
            return True

    def get_reservation(self, reservation_id):
        return self.reservations.get(reservation_id)

    def open_reservations(self):
        counts = {}
        for held in self.reservations.values():
            counts[held.org_id] = counts.get(held.org_id, 0) + 1
        return counts

    def held_reservations(self, org_id, session_id):
        with self._lock:
            held = [
                r
                for r in self.reservations.values()
                if (r.org_id, r.session_id) == (org_id, session_id)
            ]
        return sorted(held, key=lambda r: (r.created_at, r.id))

    def record(self, entry):
        with self._lock:
            self.entries.append(entry)

    def ledger(self, org_id, *, session_id=None, no_session=False, limit=100, offset=0):
        found = [
            e
            for e in reversed(self.entries)
            if e.org_id == org_id
            and (session_id is None or e.session_id == session_id)
            and (not no_session or session_id is not None or e.session_id is None)
        ]
        return found[offset : offset + limit]
