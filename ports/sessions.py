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
        """Store a new session. With ``make_active`` it becomes the caller's current session
        and the previous current one (if any) is ended."""
        ...

    def get(self, session_id: str) -> Session | None: ...

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

    def update(self, session_id: str, change: Callable[[Session], Session]) -> Session:
        """Atomically replace a session with ``change(session)`` (``SessionNotFound`` if absent)."""
        ...

    def reserve(
        self, reservation: Reservation, now: float, *, stale_before: float | None = None
    ) -> tuple[str, ...]:
        """Hold ``reservation.amounts`` on its session, or raise ``LimitExceeded`` /
        ``SessionNotActive`` (persisting a ``limit_exceeded`` mark first). Returns soft-limit
        warnings. Reservations of that session made before ``stale_before`` (their request
        died without settling: a crashed process) are released first, uncharged."""
        ...

    def settle(self, reservation_id: str, actual: Amounts, entry: LedgerEntry, now: float) -> bool:
        """Release the reservation, add ``actual`` to the session and append ``entry`` to the
        ledger, all at once. False (and nothing changes) when it was already settled."""
        ...

    def get_reservation(self, reservation_id: str) -> Reservation | None: ...

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
