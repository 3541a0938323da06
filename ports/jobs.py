"""The JobRunner port, as agreed between the queue branch and the optimisation branch.

A copy of the shape fixed in the queue's design note (``ports/jobs.py`` on the ``queue`` branch):
the ``gepa`` and ``mipro`` runners code against exactly these names. Shapes may grow, never
change meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from attrs import frozen


@frozen
class JobOutcome:
    status: str  # "completed" | "failed"
    reason: str | None = None  # e.g. "budget_exhausted", "exit code 3", "canceled"
    result: Mapping[str, Any] = {}  # JSON-safe summary stored with the job (scores, artifact id…)


class JobContext(Protocol):
    job_id: str
    experiment_id: str
    attempt: int  # 1 on the first run, +1 on each re-run after a dead worker
    config: Mapping[str, Any]  # the job's TOML with config_overrides applied
    config_path: Path  # where the TOML came from (relative paths resolve from its folder)
    env: Mapping[str, str]  # the env file's variables (os.environ is NOT modified)
    workdir: Path  # private folder for this job: logs, checkpoints, result files

    def log(self, line: str) -> None: ...  # append to the job's log

    def progress(self, **fields: Any) -> None: ...  # store a progress event (JSON-safe fields)

    def cancelled(self) -> bool: ...  # poll; True once the job was canceled

    def load_checkpoint(self) -> Mapping[str, Any] | None: ...  # last saved state, for resume

    def save_checkpoint(self, state: Mapping[str, Any]) -> None: ...


class JobRunner(Protocol):
    kind: str  # "command", "eval", "gepa", "mipro"

    def validate(self, config: Mapping[str, Any], config_path: Path) -> None:
        """Raise a ``synth_ai.domain.errors.InvalidInput`` subclass naming the field and file."""
        ...

    def run(self, ctx: JobContext) -> JobOutcome:
        """Run to the end; return an outcome instead of raising for expected failures."""
        ...
