"""Fakes of the session ports: the store."""

from __future__ import annotations

import threading

from attrs import evolve
from synth_ai.domain.sessions import rules
from synth_ai.domain.sessions.errors import SessionNotFound
from synth_ai.domain.sessions.model import CURRENT


class FakeSessionStore:
    """An in-memory ``SessionStore``: one lock around the same pure rules the real stores use."""

    def __init__(self):
        self._lock = threading.RLock()
        self.sessions: dict = {}
        self.pointers: dict = {}
        self.reservations: dict = {}
        self.entries: list = []

    def create(self, session, *, make_active=True):
        with self._lock:
            if make_active:
                previous = self._current(session.org_id, session.user_id, session.created_at)
                if previous is not None:
                    self.sessions[previous.id] = rules.end(previous, session.created_at)
                self.pointers[(session.org_id, session.user_id)] = session.id
            self.sessions[session.id] = session
            return session

    def _current(self, org_id, user_id, now):

        session_id = self.pointers.get((org_id, user_id))
        if session_id is None:
            return None
        session = rules.effective(self.sessions[session_id], now)
        self.sessions[session_id] = session
        if session.status not in CURRENT:
            del self.pointers[(org_id, user_id)]
            return None
        return session

    def get(self, session_id):
        return self.sessions.get(session_id)

    def current(self, org_id, user_id, now):
        with self._lock:
            return self._current(org_id, user_id, now)

    def current_or_create(self, org_id, user_id, new, now):
        with self._lock:
            current = self._current(org_id, user_id, now)
            if current is not None:
                return current
            self.sessions[new.id] = new
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

    def update(self, session_id, change):
        with self._lock:
            if session_id not in self.sessions:
                raise SessionNotFound(f"no session {session_id!r}")
            changed = change(self.sessions[session_id])
            self.sessions[session_id] = changed
            key = (changed.org_id, changed.user_id)
            if changed.status not in CURRENT and self.pointers.get(key) == session_id:
                del self.pointers[key]
            return changed

    def reserve(self, reservation, now, *, stale_before=None):
        with self._lock:
            session = self.sessions.get(reservation.session_id)
            if session is None:
                raise SessionNotFound(f"no session {reservation.session_id!r}")
            if stale_before is not None:
                session = self._release(session, stale_before, now)
            decision = rules.decide_reservation(session, reservation.amounts, now)
            self.sessions[session.id] = decision.session
            if decision.refusal is None and decision.inactive is None:
                self.reservations[reservation.id] = reservation
        decision.raise_if_refused()
        return decision.warnings

    def settle(self, reservation_id, actual, entry, now):
        with self._lock:
            held = self.reservations.pop(reservation_id, None)
            if held is None:
                return False
            session = self.sessions.get(held.session_id)
            if session is not None:
                self.sessions[session.id] = rules.settle(session, held.amounts, actual, now)
            self.entries.append(entry)
            return True

    def _release(self, session, stale_before, now):
        for held in list(self.reservations.values()):
            if held.session_id == session.id and held.expiry() < stale_before:
                session, lapsed = rules.lapse(session, held, now)
                if lapsed is not None:
                    self.entries.append(lapsed)
                del self.reservations[held.id]
        self.sessions[session.id] = session
        return session

    def release_lapsed(self, session_id, now):
        with self._lock:
            session = self.sessions.get(session_id)
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

    def get_reservation(self, reservation_id):
        return self.reservations.get(reservation_id)

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
