"""The gepa / mipro runners as the queue sees them: the JobRunner port."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from synth_ai.domain.errors import InvalidInput, ServiceUnavailable
from synth_ai.optimise.runners import OptimisationRunner

from tests.fakes.jobs import FakeJobContext
from tests.fakes.optimisation import prompt_learning


def test_the_queue_has_a_runner_for_each_algorithm_beside_command_and_eval(container):
    runners = container.job_runners()

    assert {kind: runner.kind for kind, runner in runners.items()} == {
        "command": "command",
        "eval": "eval",
        "gepa": "gepa",
        "mipro": "mipro",
    }


def test_validate_names_the_field_and_the_file_when_the_kind_and_algorithm_differ(settings):
    with pytest.raises(InvalidInput) as caught:
        OptimisationRunner("gepa", settings).validate(
            prompt_learning("mipro", "http://task.invalid"), Path("jobs/mipro.toml")
        )

    assert "prompt_learning.algorithm" in caught.value.message
    assert "jobs/mipro.toml" in caught.value.message


def test_a_backend_that_cannot_be_reached_is_a_failed_outcome_not_an_exception(settings, tmp_path):
    @contextlib.contextmanager
    def down(_settings):
        raise ServiceUnavailable("backend not reachable at http://127.0.0.1:9")
        yield  # pragma: no cover

    runner = OptimisationRunner("gepa", settings, backend=down)
    ctx = FakeJobContext(prompt_learning("gepa", "http://task.invalid"), workdir=tmp_path)

    outcome = runner.run(ctx)

    assert (outcome.status, outcome.reason) == (
        "failed",
        "backend not reachable at http://127.0.0.1:9",
    )
