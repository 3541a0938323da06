"""Named failures of an optimisation job, each in one family of ``synth_ai.domain.errors``."""

from __future__ import annotations

from synth_ai.domain.errors import InvalidInput, LimitExceeded, NotFound, SynthError


class InvalidOptimisationConfig(InvalidInput):
    code = "invalid_optimisation_config"


class BudgetExhausted(LimitExceeded):
    """The job's rollout budget or its session's spend limit refused the next call."""

    code = "budget_exhausted"


class JobCancelled(SynthError):
    """The job was canceled; the search stops at the next rollout boundary."""

    code = "canceled"


class UnknownTrial(NotFound):
    """An interceptor trial that finished or never existed."""

    code = "trial_not_found"
