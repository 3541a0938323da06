"""Named failures of the experiment queue; each subclasses one family of ``domain.errors``."""

from __future__ import annotations

from synth_ai.domain.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable


class InvalidExperiment(InvalidInput):
    """The experiment document or one of its jobs' files does not validate."""

    code = "invalid_experiment"


class UnknownJobType(InvalidExperiment):
    code = "unknown_job_type"


class UnknownExperiment(NotFound):
    code = "experiment_not_found"


class UnknownJob(NotFound):
    code = "job_not_found"


class ExperimentFinished(Conflict):
    """Cancel (or another change) asked of an experiment that already ended."""

    code = "experiment_finished"


class BrokerUnavailable(ServiceUnavailable):
    code = "broker_unavailable"
