"""A ``JobContext`` for ``synth-ai optimize CONFIG.toml`` in the foreground (no queue).

The job's id is stable for a config file (its name and a hash of its absolute path), and its
folder is ``$SYNTH_AI_HOME/jobs/<id>/``: ``checkpoint.json`` (written atomically after every
batch), ``log.txt``, ``progress.jsonl`` and, once it ended, ``outcome.json``. Running the same
config again resumes the job from its checkpoint unless it completed (then a new job starts):
after a crash, a kill, a cancel or a failure (the task app was down) it carries on.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from synth_ai.ports.jobs import JobOutcome


def local_job_id(config_path: Path) -> str:
    digest = hashlib.sha256(str(config_path.resolve()).encode()).hexdigest()[:8]
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in config_path.stem)[:40]
    return f"opt-{stem}-{digest}"


def _completed(outcome: Path) -> bool:
    try:
        return json.loads(outcome.read_text(encoding="utf-8")).get("status") == "completed"
    except (OSError, ValueError, AttributeError):
        return False


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class LocalJobContext:
    def __init__(
        self,
        *,
        config: Mapping[str, Any],
        config_path: Path,
        home: Path,
        env: Mapping[str, str] | None = None,
        fresh: bool = False,
        on_progress: Callable[[dict], None] = lambda fields: None,
        on_log: Callable[[str], None] = lambda line: None,
    ):
        self.job_id = local_job_id(config_path)
        self.experiment_id = "local"
        self.config = config
        self.config_path = config_path
        self.env = dict(env or {})
        self.workdir = home / "jobs" / self.job_id
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._checkpoint = self.workdir / "checkpoint.json"
        outcome = self.workdir / "outcome.json"
        if fresh or _completed(outcome):
            self._checkpoint.unlink(missing_ok=True)
        outcome.unlink(missing_ok=True)
        attempts = self.workdir / "attempts"
        self.attempt = int(attempts.read_text() or 0) + 1 if attempts.exists() else 1
        if fresh or not self._checkpoint.exists():
            self.attempt = 1
        attempts.write_text(str(self.attempt))
        self._cancel = threading.Event()
        self._on_progress = on_progress
        self._on_log = on_log
        self._lock = threading.Lock()

    # -- JobContext ----------------------------------------------------------------------------
    def log(self, line: str) -> None:
        with self._lock, (self.workdir / "log.txt").open("a", encoding="utf-8") as out:
            out.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {line}\n")
        self._on_log(line)

    def progress(self, **fields: Any) -> None:
        with self._lock, (self.workdir / "progress.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps({"at": time.time(), **fields}) + "\n")
        self._on_progress(fields)

    def cancelled(self) -> bool:
        return self._cancel.is_set() or (self.workdir / "cancel").exists()

    def load_checkpoint(self) -> Mapping[str, Any] | None:
        if not self._checkpoint.exists():
            return None
        return json.loads(self._checkpoint.read_text(encoding="utf-8"))

    def save_checkpoint(self, state: Mapping[str, Any]) -> None:
        with self._lock:
            _write_atomic(self._checkpoint, json.dumps(state))

    # -- the foreground command ----------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    def finish(self, outcome: JobOutcome) -> None:
        body = {"status": outcome.status, "reason": outcome.reason, "result": dict(outcome.result)}
        _write_atomic(self.workdir / "outcome.json", json.dumps(body, indent=2))
