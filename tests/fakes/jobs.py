"""A ``JobContext`` held in memory, for running job runners in tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class WorkerKilled(BaseException):
    """Raised from ``save_checkpoint`` to stand for a worker dying mid-job (kill -9)."""


class FakeJobContext:
    def __init__(
        self,
        config: dict,
        *,
        workdir: Path,
        job_id: str = "job_test",
        attempt: int = 1,
        checkpoint: dict | None = None,
        env: dict | None = None,
        cancel_after_rollouts: int | None = None,
        die_after_rollouts: int | None = None,
    ):
        self.job_id = job_id
        self.experiment_id = "exp_test"
        self.attempt = attempt
        self.config = config
        self.config_path = workdir / "job.toml"
        self.env = dict(env or {})
        self.workdir = workdir
        self.lines: list[str] = []
        self.events: list[dict] = []
        self.checkpoint = checkpoint
        self.cancel_after_rollouts = cancel_after_rollouts
        self.die_after_rollouts = die_after_rollouts

    def _rollouts(self) -> int:
        return len((self.checkpoint or {}).get("rollouts", {}))

    def log(self, line: str) -> None:
        self.lines.append(line)

    def progress(self, **fields: Any) -> None:
        json.dumps(fields)  # progress events must be JSON-safe
        self.events.append(fields)

    def cancelled(self) -> bool:
        return self.cancel_after_rollouts is not None and (
            self._rollouts() >= self.cancel_after_rollouts
        )

    def load_checkpoint(self):
        return json.loads(json.dumps(self.checkpoint)) if self.checkpoint else None

    def save_checkpoint(self, state) -> None:
        self.checkpoint = json.loads(json.dumps(state))
        if self.die_after_rollouts is not None and self._rollouts() >= self.die_after_rollouts:
            raise WorkerKilled()
