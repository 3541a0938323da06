"""The ``command`` job kind on real processes: output, exit codes, results, progress, timeouts."""

from __future__ import annotations

from pathlib import Path

import pytest
from synth_ai.adapters.job_runners import CommandRunner
from synth_ai.adapters.system import SystemClock
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.experiments.context import StoreJobContext
from synth_ai.domain.experiments.model import Experiment, Job

from tests.fakes.experiments import InMemoryExperimentStore
from tests.support.queue import pid_alive, wait_for


def context(tmp_path: Path, run, **section) -> tuple[StoreJobContext, InMemoryExperimentStore]:
    store = InMemoryExperimentStore()
    store.create(Experiment("exp_1", "org", "x"), [Job("job_1", "exp_1", 0, "command", "/c")])
    config_path = tmp_path / "job.toml"
    config_path.write_text("")
    ctx = StoreJobContext(
        store=store,
        clock=SystemClock(),
        job_id="job_1",
        experiment_id="exp_1",
        attempt=1,
        config={"command": {"run": run, **section}},
        config_path=config_path,
        env={"GREETING": "hi"},
        workdir=tmp_path / "work",
    )
    return ctx, store


def test_output_env_and_result_file_come_back_with_a_zero_exit(tmp_path):
    ctx, store = context(
        tmp_path,
        'echo "$GREETING $SYNTH_AI_JOB_ID"; echo \'{"score": 2}\' > "$SYNTH_AI_RESULT_FILE"',
    )
    outcome = CommandRunner().run(ctx)
    ctx.flush()
    assert (outcome.status, outcome.result) == ("completed", {"score": 2})
    assert store.read_log("job_1")[0] == ["hi job_1"]


def test_an_argv_list_runs_without_a_shell_and_its_exit_code_fails_the_job(tmp_path):
    ctx, _ = context(tmp_path, ["sh", "-c", "exit 4"])
    outcome = CommandRunner().run(ctx)
    assert (outcome.status, outcome.reason) == ("failed", "exit code 4")


def test_progress_lines_become_progress_not_log(tmp_path):
    ctx, store = context(tmp_path, 'echo \'SYNTH_AI_PROGRESS {"done": 1, "total": 2}\'; echo plain')
    CommandRunner().run(ctx)
    ctx.flush()
    assert store.job("job_1").progress["done"] == 1
    assert store.read_log("job_1")[0] == ["plain"]


def test_a_timeout_stops_the_whole_process_group(tmp_path):
    ctx, _ = context(tmp_path, "sleep 60 & echo $! > child.pid; wait", timeout_s=0.5)
    ctx_cwd = Path(ctx.config_path).parent
    outcome = CommandRunner(grace_s=1).run(ctx)
    assert (outcome.status, outcome.reason) == ("failed", "timed out after 0.5 s")
    child = int((ctx_cwd / "child.pid").read_text())
    wait_for(lambda: not pid_alive(child), timeout=5)


def test_a_command_that_ignores_sigterm_is_killed_after_the_grace(tmp_path):
    ctx, _ = context(tmp_path, "trap '' TERM; sleep 30 & echo $! > stubborn.pid; wait; sleep 30")
    runner = CommandRunner(grace_s=0.5)
    import threading

    timer = threading.Timer(0.5, ctx.cancel)
    timer.start()
    outcome = runner.run(ctx)
    assert (outcome.status, outcome.reason) == ("failed", "canceled")
    stubborn = int((tmp_path / "stubborn.pid").read_text())  # it ignores SIGTERM too
    wait_for(lambda: not pid_alive(stubborn), timeout=5)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "a command job needs a [command] table"),
        ({"command": {"run": 3}}, "command.run must be a command string or a list of strings"),
        ({"command": {"run": "x", "timeout_s": -1}}, "command.timeout_s must be a number"),
        ({"command": {"run": "x", "cwd": "nowhere"}}, "command.cwd 'nowhere' is not a folder"),
    ],
)
def test_a_bad_command_config_is_refused_naming_the_field_and_file(tmp_path, config, message):
    with pytest.raises(InvalidInput) as caught:
        CommandRunner().validate(config, tmp_path / "job.toml")
    assert caught.value.message.startswith(f"{tmp_path / 'job.toml'}: ")
    assert message in caught.value.message
