"""Job runners: one per job kind, implementing ``ports.jobs.JobRunner``."""

from synth_ai.adapters.job_runners.command import CommandRunner
from synth_ai.adapters.job_runners.eval import EvalRunner

__all__ = ["CommandRunner", "EvalRunner"]
