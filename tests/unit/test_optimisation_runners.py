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


def test_a_worker_with_a_configured_backend_uses_it_and_starts_none_of_its_own(
    settings, monkeypatch
):
    import synth_ai.adapters.waitress_host as waitress_host
    from synth_ai.optimise.runners import backend_for

    def no_server(*args, **kwargs):
        raise AssertionError("a backend was started in-process")

    monkeypatch.setattr(waitress_host.BackgroundServer, "start", no_server)
    settings.backend_url = "http://backend.example:8000"

    with backend_for(settings) as link:
        assert link.url == "http://backend.example:8000"


def test_a_background_worker_inherits_the_backend_and_key_given_on_the_command_line(settings):
    from synth_ai.cli.queue import _worker_env

    settings.backend_url = "http://backend.example:8000"
    settings.client_api_key = "sk-from-the-flag"

    env = _worker_env(settings)

    assert env["SYNTH_BACKEND_URL"] == "http://backend.example:8000"
    assert env["SYNTH_API_KEY"] == "sk-from-the-flag"
    assert env["SYNTH_AI_HOME"] == str(settings.home)
