"""The session capability's named errors, each one of the families in ``domain/errors.py``."""

from __future__ import annotations

from synth_ai.domain.errors import InvalidInput, LimitExceeded, NotFound


class SessionNotFound(NotFound):
    code = "session_not_found"


class SessionNotActive(InvalidInput):
    # An invalid request (400), not a conflict: the public synth-ai client reads a 400 from end
    # and limits/increase as SessionNotActiveError.
    code = "session_not_active"


class ReservationNotFound(NotFound):
    code = "reservation_not_found"


class BudgetExceeded(LimitExceeded):
    """A request would cross a hard limit of its session (429 ``usage_limit_reached``)."""
