"""Where sessions, reservations and the usage ledger live (SQLite, Redis, or a fake).

Every method that changes a session is one atomic step against the store, so any number of
threads, processes or ``serve`` replicas may call it at once. ``reserve`` and ``settle`` apply
the pure rules of ``synth_ai.domain.sessions.model`` (``decide_reservation`` / ``settle``).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Protocol

from synth_ai.domain.sessions.model import Amounts, LedgerEntry, Reservation, Session


class SessionStore(Protocol):
    def create(self, session: Session, *, make_active: bool = True) -> Session:
        """Store a new session, if its org has none with that id (insert-if-absent, atomic:
        else ``SessionIdTaken`` and nothing changes). Ids are scoped per org: another org may
        hold the same id. With ``make_active`` it becomes the caller's current session and the
        previous current one (if any) is ended."""
        ...

    def get(self, org_id: str, session_id: str) -> Session | None: ...

    def current(self, org_id: str, user_id: str, now: float) -> Session | None:
        """The (org, user)'s current session, or None (an expired one is marked expired)."""
        ...

    def current_or_create(self, org_id: str, user_id: str, new: Session, now: float) -> Session:
        """The (org, user)'s current session (active or limit_exceeded, not expired); when there
        is none, ``new`` is stored and becomes current. Atomic: concurrent first requests share
        one session."""
        ...

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
        """Newest first. With ``now``, ``status`` filters on the status as of ``now`` (a session
        past its ``expires_at`` counts as expired, not active)."""
        ...

    def update(self, org_id: str, session_id: str, change: Callable[[Session], Session]) -> Session:
        """Atomically replace a session with ``change(session)`` (``SessionNotFound`` if absent)."""
        ...

    def reserve(
        self, reservation: Reservation, now: float, *, stale_before: float | None = None
    ) -> tuple[str, ...]:
        """Hold ``reservation.amounts`` on its session, or raise ``LimitExceeded`` /
        ``SessionNotActive`` (a refusal changes nothing). Returns soft-limit warnings.
        Reservations of that session whose ``expiry()`` is before ``stale_before`` (a lease
        nobody renewed: the process died) are released first, charging their ``progress`` to
        the session with a ledger entry of kind ``lapsed``."""
        ...

    def release_lapsed(self, org_id: str, session_id: str, now: float) -> Session | None:
        """Release the session's reservations whose ``expiry()`` is before ``now`` (as
        ``reserve`` does first) and return the session as it then is (None if absent)."""
        ...

    def renew(self, reservation_id: str, expires_at: float, progress: Amounts) -> bool:
        """Extend a reservation's lease to ``expires_at`` and record what its request has used
        so far. False when it is no longer held (settled or released)."""
        ...

    def settle(self, reservation_id: str, actual: Amounts, entry: LedgerEntry, now: float) -> bool:
        """Release the reservation, add ``actual`` to the session and append ``entry`` to the
        ledger, all at once. False (and nothing changes) when it was already settled."""
        ...

    def get_reservation(self, reservation_id: str) -> Reservation | None: ...

    def open_reservations(self) -> dict[str, int]:
        """How many reservations are held right now, per org (orgs holding none are absent):
        read at scrape time by ``/metrics``, so every replica reports the shared truth."""

    def held_reservations(self, org_id: str, session_id: str) -> builtins.list[Reservation]:
        """The reservations the session still holds (not settled nor released), oldest first;
        a lapsed one nobody has released yet is still held and listed."""
        ...

    def record(self, entry: LedgerEntry) -> None:
        """Append a ledger entry that belongs to no session (``X-No-Session``)."""
        ...

    def ledger(
        self,
        org_id: str,
        *,
        session_id: str | None = None,
        no_session: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[LedgerEntry]:
        """Newest first; ``session_id`` filters one session, ``no_session`` the opted-out ones."""
        ...
