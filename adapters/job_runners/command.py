"""The ``command`` job kind: a command line in its own process group.

Config (the job's TOML)::

    [command]
    run = "python train.py --lr 0.1"     # a string (run by /bin/sh) or an argv list
    cwd = "."                            # optional, relative to the config file's folder
    timeout_s = 0                        # optional; 0 = no limit
    result_file = "result.json"          # optional, relative to the job's workdir

The env file's variables are added to the worker's environment for the child only, with
``SYNTH_AI_JOB_ID``, ``SYNTH_AI_JOB_DIR`` and ``SYNTH_AI_RESULT_FILE``. Output goes to the job's
log, except lines ``SYNTH_AI_PROGRESS {"done": 3, "total": 10, "best_score": 0.7}`` which are
stored as progress (``experiment status --watch`` shows them); exit code 0 → completed, else failed; a JSON object in the result file becomes the result.
On cancel the whole process group gets SIGTERM, then SIGKILL after ``grace_s``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from synth_ai.domain.errors import InvalidInput
from synth_ai.ports.jobs import JobContext, JobOutcome


class InvalidCommandConfig(InvalidInput):
    code = "invalid_command_config"


class CommandRunner:
    kind = "command"

    def __init__(self, *, grace_s: float = 5.0, poll_s: float = 0.05):
        self.grace_s = grace_s
        self.poll_s = poll_s

    def validate(self, config: Mapping[str, Any], config_path: Path) -> None:
        section = config.get("command")
        if not isinstance(section, Mapping):
            raise InvalidCommandConfig(
                f'{config_path}: a command job needs a [command] table with run = "…"',
                param="command",
            )
        run = section.get("run")
        ok = (isinstance(run, str) and run.strip()) or (
            isinstance(run, list) and run and all(isinstance(a, str) for a in run)
        )
        if not ok:
            raise InvalidCommandConfig(
                f"{config_path}: command.run must be a command string or a list of strings, "
                f"got {run!r}",
                param="command.run",
            )
        timeout = section.get("timeout_s", 0)
        if not isinstance(timeout, int | float) or timeout < 0:
            raise InvalidCommandConfig(
                f"{config_path}: command.timeout_s must be a number ≥ 0, got {timeout!r}",
                param="command.timeout_s",
            )
        cwd = section.get("cwd")
        if cwd is not None and not (config_path.parent / str(cwd)).is_dir():
            raise InvalidCommandConfig(
                f"{config_path}: command.cwd {cwd!r} is not a folder", param="command.cwd"
            )

    def run(self, ctx: JobContext) -> JobOutcome:
        section = ctx.config["command"]
        run = section["run"]
        cwd = ctx.config_path.parent / str(section.get("cwd", "."))
        ctx.workdir.mkdir(parents=True, exist_ok=True)
        result_file = ctx.workdir / str(section.get("result_file", "result.json"))
        env = {
            **os.environ,
            **ctx.env,
            "SYNTH_AI_JOB_ID": ctx.job_id,
            "SYNTH_AI_JOB_DIR": str(ctx.workdir),
            "SYNTH_AI_RESULT_FILE": str(result_file),
        }
        timeout = float(section.get("timeout_s", 0) or 0)
        process = subprocess.Popen(
            _supervised(run),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so cancel reaches every child
            preexec_fn=_hang_up_with_parent,  # a worker killed with -9 takes the group along
            text=True,
            errors="replace",
        )
        (ctx.workdir / "pid").write_text(str(process.pid))
        reader = threading.Thread(target=_pump, args=(process, ctx), daemon=True)
        reader.start()
        started = time.monotonic()
        stopped_for = None
        while process.poll() is None:
            if ctx.cancelled():
                stopped_for = "canceled"
            elif timeout and time.monotonic() - started > timeout:
                stopped_for = f"timed out after {timeout:g} s"
            if stopped_for:
                self._stop_group(process)
                break
            time.sleep(self.poll_s)
        code = process.wait()
        _kill_group(process.pid, signal.SIGKILL)  # children the command left behind
        reader.join(timeout=5)
        if stopped_for:
            return JobOutcome("failed", stopped_for)
        result = _read_result(result_file, ctx)
        if code != 0:
            return JobOutcome("failed", f"exit code {code}", result)
        return JobOutcome("completed", None, result)

    def _stop_group(self, process: subprocess.Popen) -> None:
        """SIGTERM to every process of the group, SIGKILL to what is left after the grace."""
        _kill_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        while time.monotonic() < deadline:
            process.poll()  # reap the supervising shell so it does not count as alive
            if not _group_alive(process.pid):
                break
            time.sleep(self.poll_s)
        _kill_group(process.pid, signal.SIGKILL)
        process.wait()


# The command runs under a small shell that is the group leader: when the worker dies (even
# kill -9) the kernel sends the shell SIGHUP (PR_SET_PDEATHSIG) and the shell SIGKILLs its whole
# group, so a re-run elsewhere never overlaps an orphan of the dead worker.
_SUPERVISOR = 'trap "kill -KILL 0" HUP; "$@" & wait $!'


def _supervised(run: str | list[str]) -> list[str]:
    argv = ["/bin/sh", "-c", run] if isinstance(run, str) else list(run)
    return ["/bin/sh", "-c", _SUPERVISOR, "synth-ai-job", *argv]


def _hang_up_with_parent() -> None:
    """In the child before exec: SIGHUP when the worker that started it dies (Linux only)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGHUP)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


PROGRESS_PREFIX = "SYNTH_AI_PROGRESS "


def _pump(process: subprocess.Popen, ctx: JobContext) -> None:
    """Output lines to the log; ``SYNTH_AI_PROGRESS {json}`` lines become progress events."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(PROGRESS_PREFIX):
            try:
                fields = json.loads(line[len(PROGRESS_PREFIX) :])
            except ValueError:
                fields = None
            if isinstance(fields, dict):
                ctx.progress(**fields)
                continue
        ctx.log(line)


def _read_result(path: Path, ctx: JobContext) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        ctx.log(f"[synth-ai] result file {path} is not JSON ({exc}); ignored")
        return {}
    if not isinstance(data, dict):
        ctx.log(f"[synth-ai] result file {path} holds a {type(data).__name__}, not an object")
        return {}
    return data
