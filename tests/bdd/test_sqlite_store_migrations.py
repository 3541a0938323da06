"""features/sqlite_store_migrations.feature: ``synth-ai db`` and ``serve`` in a subprocess on a
real synth.db."""

from __future__ import annotations

import shlex
import sqlite3

from pytest_bdd import given, parsers, scenarios, then, when
from synth_ai.adapters.sqlite import Database, SqliteSessionStore
from synth_ai.adapters.sqlite.schema import migration_files
from synth_ai.adapters.wire import session_documents as docs
from synth_ai.domain.sessions.model import Limit, Session

from tests.conftest import run_cli
from tests.support.sqlite_schema_before_migrations import SCRIPTS

scenarios("sqlite_store_migrations.feature")

LATEST = max(migration.version for migration in migration_files())
SESSION = Session("sess_old", "org_a", "user_a", 1000.0, limits=(Limit("cost_usd", 5.0),))


@given("a synth.db written by a synth-ai from before versioned migrations, holding a session")
def unversioned(synth_home):
    with sqlite3.connect(synth_home / "synth.db") as conn:
        conn.executescript(SCRIPTS["sessions"])
        conn.execute(
            "INSERT INTO org_sessions VALUES (?, ?, ?, ?, ?, ?)",
            ("org_a", "sess_old", "user_a", "active", 1000.0, docs.dumps(SESSION)),
        )


@given("a synth.db migrated by a newer synth-ai")
def newer(synth_home):
    Database(synth_home / "synth.db").migrate()
    with sqlite3.connect(synth_home / "synth.db") as conn:
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?, 'later', '2030-01-01T00:00:00Z', NULL)",
            (LATEST + 1,),
        )


@when(parsers.parse('I run "{command}"'), target_fixture="result")
def run(command):
    args = shlex.split(command)
    assert args[0] == "synth-ai"
    return run_cli(*args[1:], timeout=60)


@then("it prints that the schema is at the latest version")
def at_latest(result):
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(f"Applied {LATEST} migration(s): 0001_")
    assert result.stdout.splitlines()[-1] == f"Schema is at version {LATEST}."


@then(parsers.parse('"synth-ai db status" lists every migration as applied'))
def status():
    done = run_cli("db", "status", timeout=60)
    assert done.stdout.splitlines() == [f"applied  {m.label}" for m in migration_files()]


@then("the session reads back unchanged")
def reads_back(synth_home):
    assert SqliteSessionStore(Database(synth_home / "synth.db")).get("org_a", "sess_old") == SESSION


@then(parsers.parse('it exits with code {code:d} and one error line containing "{text}"'))
def exits_with(result, code, text):
    assert result.returncode == code, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and text in errors[0], result.stderr
    assert "Traceback" not in result.stderr
