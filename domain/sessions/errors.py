"""The session capability's named errors, each one of the families in ``domain/errors.py``."""

from __future__ import annotations

from synth_ai.domain.errors import Conflict, InvalidInput, LimitExceeded, NotFound


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


class NoLimitToRaise(InvalidInput):
    """``increase`` on a metric without a hard limit (it is unlimited: nothing to raise)."""

    code = "no_limit_to_raise"


class SessionIdTaken(Conflict):
    """A client-chosen session id that another session already holds."""

    code = "session_id_taken"
