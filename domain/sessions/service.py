"""The session use cases: start, list, show, end a session, change its limits, read its usage.

Every use case acts for one caller (a ``Principal``): a caller sees only its own sessions (same
org and user), and ``current`` names the caller's current session wherever an id is expected.
The HTTP routes (``/api/v1/sessions…``, ``/api/v1/usage``) parse, call one method, serialise.
"""

from __future__ import annotations

import builtins
import re
from typing import Any

from attrs import field, frozen
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import Forbidden, InvalidInput
from synth_ai.domain.sessions import rules
from synth_ai.domain.sessions.errors import SessionNotFound
from synth_ai.domain.sessions.model import (
    METRICS,
    SESSION_ID_PATTERN,
    STATUSES,
    Amounts,
    LedgerEntry,
    Limit,
    Reservation,
    Session,
    SessionDefaults,
)
from synth_ai.domain.sessions.spend import MAX_ENTRIES, SpendPoint, spend_series, spent_before
from synth_ai.ports.clock import Clock, IdGenerator
from synth_ai.ports.sessions import SessionStore

_SESSION_ID = re.compile(SESSION_ID_PATTERN)


@frozen
class StartSession:
    """What a caller asks for when starting a session (None: the server's defaults)."""

    limits: tuple[Limit, ...] | None = None
    session_type: str | None = None
    expires_at: float | None = None
    metadata: dict[str, Any] = field(factory=dict)
    make_active: bool = True
    session_id: str | None = None  # chosen by the client
    org_id: str | None = None  # must be the caller's own when given
    tracing_session_id: str | None = None


@frozen
class Page:
    limit: int = 100
    offset: int = 0


class SessionService:
    def __init__(
        self,
        store: SessionStore,
        clock: Clock,
        ids: IdGenerator,
        defaults: SessionDefaults | None = None,
    ):
        self.store = store
        self.clock = clock
        self.ids = ids
        self.defaults = defaults or SessionDefaults()

    # -- finding a caller's session -----------------------------------------------------------
    def new_session(
        self, principal: Principal, *, limits: tuple[Limit, ...] | None = None, **fields: Any
    ) -> Session:
        now = self.clock.now()
        chosen = self.defaults.limits if limits is None else limits
        limits = tuple(
            Limit(
                lim.metric,
                lim.value,
                lim.kind,
                lim.limit_id or self.ids.new_uuid(),
                lim.warning_threshold,
                lim.created_at or now,
            )
            for lim in chosen
        )
        fields.setdefault("session_type", self.defaults.session_type)
        return Session(
            fields.pop("session_id", None) or self.ids.new_id("sess"),
            principal.org_id,
            principal.user_id,
            now,
            limits=limits,
            api_key_id=principal.key_id,
            **fields,
        )

    def current(self, principal: Principal) -> Session:
        """The caller's current session, created with the default limits when there is none."""
        return self.store.current_or_create(
            principal.org_id, principal.user_id, self.new_session(principal), self.clock.now()
        )

    def owned(self, principal: Principal, session_id: str, *, create: bool = False) -> Session:
        """A session of the caller's; ``current`` names the current one (created when ``create``).
        Sessions of other users are 'not found'."""
        if session_id == "current":
            if create:
                return self.current(principal)
            session = self.store.current(principal.org_id, principal.user_id, self.clock.now())
            if session is None:
                raise SessionNotFound(
                    "you have no current session — one starts with your next request, or run "
                    "'synth-ai session start'",
                    param="session_id",
                )
            return session
        session = self.store.get(principal.org_id, session_id)
        if session is None or (session.org_id, session.user_id) != (
            principal.org_id,
            principal.user_id,
        ):
            raise SessionNotFound(
                f"no session {session_id!r} for this API key — list yours with "
                "'synth-ai session list' (GET /api/v1/sessions)",
                param="session_id",
            )
        return session

    # -- use cases ----------------------------------------------------------------------------
    def start(self, principal: Principal, request: StartSession) -> Session:
        if request.org_id and request.org_id != principal.org_id:
            raise Forbidden(
                f"org_id {request.org_id!r} is not the org of this API key ({principal.org_id})",
                param="org_id",
            )
        if request.limits is not None:
            rules.check_limits(request.limits)
        if request.expires_at is not None and request.expires_at <= self.clock.now():
            raise InvalidInput(
                f"expires_at {request.expires_at!r} is in the past — give a future time",
                param="expires_at",
            )
        fields: dict[str, Any] = {
            "expires_at": request.expires_at,
            "metadata": dict(request.metadata),
        }
        if request.tracing_session_id:
            fields["metadata"]["tracing_session_id"] = request.tracing_session_id
        if request.session_type:
            fields["session_type"] = request.session_type
        if request.session_id:
            if not _SESSION_ID.match(request.session_id) or request.session_id == "current":
                raise InvalidInput(
                    f"session_id {request.session_id!r} may hold only letters, digits and _.:- "
                    "(at most 128, not only dots, not 'current')",
                    param="session_id",
                )
            fields["session_id"] = request.session_id
        session = self.new_session(principal, limits=request.limits, **fields)
        self.store.create(session, make_active=request.make_active)
        return session

    def list(self, principal: Principal, status: str | None, page: Page) -> list[Session]:
        """The caller's sessions, newest first, filtered on their status as of now."""
        if status is not None and status not in STATUSES:
            raise InvalidInput(
                f"status must be one of {', '.join(STATUSES)}, got {status!r}", param="status"
            )
        return self.store.list(
            principal.org_id,
            user_id=principal.user_id,
            status=status,
            limit=page.limit,
            offset=page.offset,
            now=self.clock.now(),
        )

    def show(self, principal: Principal, session_id: str) -> Session:
        return self.owned(principal, session_id)

    def end(self, principal: Principal, session_id: str) -> Session:
        session = self.owned(principal, session_id)
        now = self.clock.now()
        return self.store.update(session.org_id, session.id, lambda s: rules.end(s, now))

    def set_limit(
        self, principal: Principal, session_id: str, limit: Limit
    ) -> tuple[Session, Limit]:
        """Add or replace a limit; returns the changed session and the limit as stored."""
        session = self.owned(principal, session_id)
        limit = Limit(
            limit.metric,
            limit.value,
            limit.kind,
            limit.limit_id or self.ids.new_uuid(),
            limit.warning_threshold,
            self.clock.now(),
        )
        changed = self.store.update(
            session.org_id, session.id, lambda s: rules.set_limit(s, limit, limit.created_at)
        )
        return changed, limit

    def increase_limit(
        self, principal: Principal, session_id: str, metric: str, increase_by: float
    ) -> tuple[Session, Limit | None]:
        """Raise the hard limit on ``metric``; returns the session and the raised limit."""
        session = self.owned(principal, session_id)
        new_id, now = self.ids.new_uuid(), self.clock.now()
        changed = self.store.update(
            session.org_id,
            session.id,
            lambda s: rules.increase_limit(s, metric, increase_by, limit_id=new_id, now=now),
        )
        return changed, changed.hard_limit(metric)

    def usage(
        self, principal: Principal, session_id: str, metric: str | None, page: Page
    ) -> builtins.list[LedgerEntry]:
        """The ledger entries charged to one of the caller's sessions, newest first."""
        if metric is not None and metric not in METRICS:
            raise InvalidInput(
                f"metric_type must be one of {', '.join(METRICS)}, got {metric!r}",
                param="metric_type",
            )
        session = self.owned(principal, session_id)
        return self.store.ledger(
            session.org_id, session_id=session.id, limit=page.limit, offset=page.offset
        )

    def reservations(
        self, principal: Principal, session_id: str
    ) -> tuple[Session, builtins.list[Reservation]]:
        """One of the caller's sessions and the reservations it holds now, oldest first."""
        session = self.owned(principal, session_id)
        return session, self.store.held_reservations(session.org_id, session.id)

    def spend(
        self, principal: Principal, session_id: str, bucket_s: float | None = None
    ) -> tuple[Session, builtins.list[SpendPoint], bool]:
        """One of the caller's sessions, its cumulative spend over time from the ledger, and
        whether the series starts late (only the newest ``MAX_ENTRIES`` entries are read)."""
        session = self.owned(principal, session_id)
        entries = self.store.ledger(session.org_id, session_id=session.id, limit=MAX_ENTRIES)
        truncated = len(entries) >= MAX_ENTRIES
        start = spent_before(session.used, entries) if truncated else Amounts()
        return session, spend_series(entries, bucket_s=bucket_s, start=start), truncated

    def ledger(
        self, principal: Principal, *, session_id: str | None, no_session: bool, page: Page
    ) -> builtins.list[LedgerEntry]:
        """The org-level ledger: every settled charge, with or without a session."""
        return self.store.ledger(
            principal.org_id,
            session_id=session_id,
            no_session=no_session,
            limit=page.limit,
            offset=page.offset,
        )
