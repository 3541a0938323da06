"""The JobRunner port: one runner per job kind (``command``, ``eval``, ``gepa``, ``mipro``).

Agreed between the queue and the optimisation branches (tools/JOBRUNNER_PORT.md): shapes may
grow, never change meaning. Runners are registered by kind in the container (``job_runners``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Protocol  # noqa: UP035 — the agreed text, kept verbatim

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

    def progress(self, **fields: Any) -> None: ...  # store a progress event (JSON-safe fields:

    # done, total, best_score, spend_usd, eta_s…)

    def cancelled(self) -> bool: ...  # poll; True once the job was canceled

    def load_checkpoint(self) -> Mapping[str, Any] | None: ...  # last saved state, for resume

    def save_checkpoint(self, state: Mapping[str, Any]) -> None: ...


class JobRunner(Protocol):
    kind: str  # "command", "eval", "gepa", "mipro"

    def validate(self, config: Mapping[str, Any], config_path: Path) -> None: ...

    # raises a synth_ai.domain.errors.InvalidInput subclass naming the field and file

    def run(self, ctx: JobContext) -> JobOutcome: ...

    # runs to the end; returns an outcome instead of raising for expected failures
