"""features/postgres_store.feature: ``synth-ai db`` in a subprocess on the real PostgreSQL."""

from __future__ import annotations

import shlex

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from synth_ai.adapters.postgres.database import migration_files

from tests.conftest import run_cli
from tests.support.postgres import schema_url

scenarios("postgres_store.feature")

LATEST = max(version for version, _, _ in migration_files())


@pytest.fixture
def env() -> dict:
    return {"SYNTH_AI_STORE": "postgres"}


@given("a synth-ai home whose store is a new PostgreSQL schema")
def new_schema(env, postgres_url, postgres_schema):
    env["SYNTH_AI_POSTGRES_URL"] = schema_url(postgres_url, postgres_schema)


@given("a synth-ai home whose store is PostgreSQL on a closed port")
def closed_port(env):
    env["SYNTH_AI_POSTGRES_URL"] = "postgresql://nobody@127.0.0.1:1/synth"


@when(parsers.parse('I run "{command}"'), target_fixture="result")
def run(env, command):
    args = shlex.split(command)
    assert args[0] == "synth-ai"
    return run_cli(*args[1:], env=env, timeout=60)


@then("it prints that the schema is at the latest version")
def at_latest(result):
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(f"Applied {LATEST} migration(s): 0001_")
    assert result.stdout.splitlines()[-1] == f"Schema is at version {LATEST}."


@then(parsers.parse('running "synth-ai db migrate" again applies nothing'))
def again(env):
    done = run_cli("db", "migrate", env=env, timeout=60)
    assert done.returncode == 0 and done.stdout == f"Schema is at version {LATEST}.\n"


@then(parsers.parse('"synth-ai db status" lists every migration as applied'))
def status(env):
    done = run_cli("db", "status", env=env, timeout=60)
    expected = [f"applied  {version:04d}_{name}" for version, name, _ in migration_files()]
    assert done.stdout.splitlines() == expected


@then(parsers.parse('it exits with code {code:d} and one error line containing "{text}"'))
def exits_with(result, code, text):
    assert result.returncode == code, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and text in errors[0], result.stderr
    assert "Traceback" not in result.stderr
