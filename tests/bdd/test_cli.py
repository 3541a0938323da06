"""features/cli.feature: the real CLI in a subprocess."""

from __future__ import annotations

import shlex

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.conftest import run_cli

scenarios("cli.feature")


@pytest.fixture
def env() -> dict:
    return {}


@given(parsers.parse('config.toml holds "{text}"'))
def config_holds(synth_home, text):
    (synth_home / "config.toml").write_text(text.replace("\\n", "\n") + "\n")


@given(parsers.parse('the environment sets {name} to "{value}"'))
def environment_sets(env, name, value):
    env[name] = value


@when(parsers.parse('I run "{command}"'), target_fixture="result")
def run(env, command):
    args = shlex.split(command)
    assert args[0] == "synth-ai"
    return run_cli(*args[1:], env=env, timeout=30)


@then(parsers.parse('it exits with code {code:d} and one error line containing "{text}"'))
def exits_with(result, code, text):
    assert result.returncode == code, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and text in errors[0], result.stderr
    assert "Traceback" not in result.stderr


@then("the error line names config.toml")
def names_config(result, synth_home):
    assert f"in {synth_home / 'config.toml'} " in result.stderr
