"""Versioned migrations of the SQLite store: the same runner as PostgreSQL's, applied on first
use or by ``synth-ai db migrate``, adopting a synth.db made before there were versions, and
refusing one that a newer synth-ai migrated."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import pytest
from synth_ai.adapters.sql_common import migrations as runner
from synth_ai.adapters.sqlite import Database, SqliteSessionStore
from synth_ai.adapters.sqlite.artifacts import SqliteArtifactCatalog
from synth_ai.adapters.sqlite.experiments import SqliteExperimentStore
from synth_ai.adapters.sqlite.responses import SqliteResponseStore
from synth_ai.adapters.sqlite.schema import SqliteMigrationTarget, migration_files
from synth_ai.adapters.sqlite.tunnels import SqliteTunnelRecords
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot
from synth_ai.domain.experiments.model import Experiment, Job
from synth_ai.domain.responses.record import StoredResponse
from synth_ai.domain.sessions.model import Amounts, LedgerEntry, Limit, Reservation, Session
from synth_ai.domain.tunnels.model import TunnelRecord
from synth_ai.ports.experiments import WorkerRecord

from tests.support.sqlite_schema_before_migrations import SCRIPTS

NOW = 1_700_000_000.0
LATEST = max(migration.version for migration in migration_files())


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows} - {"sqlite_sequence"}


def _versions(path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [v for (v,) in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]


class Everything:
    """One row of every kind each store keeps, written and read back through the stores."""

    session = Session("sess_1", "org_a", "user_a", NOW, limits=(Limit("cost_usd", 5.0),))
    held = Reservation("res_1", "sess_1", "org_a", "user_a", Amounts(cost_usd=0.5), NOW)
    spent = LedgerEntry(
        "led_1", "org_a", "user_a", Amounts(cost_usd=0.1), NOW, session_id="sess_1", model="m"
    )
    response = StoredResponse(
        id="resp_1",
        org_id="org_a",
        created_at=NOW,
        response={"id": "resp_1", "object": "response", "status": "completed", "output": []},
        input_items=({"type": "message", "role": "user", "content": "hi"},),
        output_items=(),
    )
    model = ModelArtifact.new("ft:base:job_1", status="succeeded", created_at=NOW)
    job = PromptJob.new("pl_1", status="running", now=NOW)
    snapshot = PromptSnapshot("snap_1", "pl_1", {"messages": []}, NOW, 0.9, 0.8)
    tunnel = TunnelRecord(
        "tun_1", "demo", "demo.example.test", "127.0.0.1", 8114, "tok", "active", NOW, "cf-1"
    )
    experiment = Experiment("exp_1", "org_a", "sweep", parallelism=1, created_at=NOW)
    experiment_job = Job("exp_1_job_0", "exp_1", 0, "command", "/c.toml", {"a": 1}, created_at=NOW)
    worker = WorkerRecord("w1", "host", 1, 1, "redis://x", "/h", ("exp_1_job_0",), NOW, NOW)

    @classmethod
    def write(cls, database: Database) -> None:
        sessions = SqliteSessionStore(database)
        sessions.create(cls.session)
        sessions.reserve(cls.held, NOW)
        sessions.record(cls.spent)
        SqliteResponseStore(database).save(cls.response)
        catalog = SqliteArtifactCatalog(database, "org_a")
        catalog.register_model(cls.model)
        catalog.register_prompt_job(cls.job)
        catalog.add_snapshot(cls.snapshot)
        SqliteTunnelRecords(database).add("org_a", cls.tunnel)
        experiments = SqliteExperimentStore(database)
        experiments.create(cls.experiment, [cls.experiment_job])
        experiments.append_log("exp_1_job_0", ["line 1"])
        experiments.heartbeat_worker(cls.worker)
        assert experiments.try_lead("scheduler", "w1", NOW, 3600)

    @classmethod
    def assert_readable(cls, database: Database) -> None:
        sessions = SqliteSessionStore(database)
        assert sessions.get("org_a", "sess_1").reserved == Amounts(cost_usd=0.5)
        assert sessions.current("org_a", "user_a", NOW).id == "sess_1"
        assert sessions.get_reservation("res_1") == cls.held
        assert sessions.ledger("org_a") == [cls.spent]
        assert SqliteResponseStore(database).get("org_a", "resp_1") == cls.response
        catalog = SqliteArtifactCatalog(database, "org_a")
        assert catalog.get_model("ft:base:job_1") == cls.model
        assert catalog.get_prompt_job("pl_1").best_snapshot_id == "snap_1"
        assert catalog.list_snapshots("pl_1") == [cls.snapshot]
        assert SqliteTunnelRecords(database).list("org_a") == [cls.tunnel]
        experiments = SqliteExperimentStore(database)
        assert experiments.get("exp_1").name == "sweep"
        assert [j.job_id for j in experiments.jobs("exp_1")] == ["exp_1_job_0"]
        assert experiments.read_log("exp_1_job_0") == (["line 1"], 1)
        assert experiments.workers() == [cls.worker]
        assert not experiments.try_lead("scheduler", "w2", NOW + 1, 3600)  # w1 still leads


def _copy_rows(source, target) -> None:
    """Every row of every table of ``source`` into the same table of ``target``."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        for table in _tables(source) - {"schema_migrations"}:
            cursor = src.execute(f"SELECT * FROM {table}")
            columns = [c[0] for c in cursor.description]
            dst.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                f"({', '.join('?' * len(columns))})",
                cursor.fetchall(),
            )


def test_sqlite_migrations_are_numbered_without_gaps_from_one():
    assert [m.version for m in migration_files()] == list(range(1, LATEST + 1))


def test_a_new_database_gets_every_migration_on_first_use_and_never_again(tmp_path):
    database = Database(tmp_path / "synth.db")
    assert SqliteSessionStore(database).get("org_a", "nope") is None
    assert _versions(tmp_path / "synth.db") == list(range(1, LATEST + 1))
    assert database.migrate() == []
    assert Database(tmp_path / "synth.db").migrate() == []
    assert "sessions" not in _tables(tmp_path / "synth.db")  # the pre-org table, dropped


def test_a_database_made_before_versioned_migrations_keeps_every_row(tmp_path):
    written = tmp_path / "written.db"
    Everything.write(Database(written))
    old = tmp_path / "synth.db"  # what the previous release left behind: no version table
    with sqlite3.connect(old) as conn:
        for script in SCRIPTS.values():
            conn.executescript(script)
    _copy_rows(written, old)
    with sqlite3.connect(old) as conn:
        empty = [t for t in _tables(old) if not conn.execute(f"SELECT 1 FROM {t}").fetchone()]
    assert empty == [] and "schema_migrations" not in _tables(old)

    upgraded = Database(old)
    Everything.assert_readable(upgraded)
    assert _versions(old) == list(range(1, LATEST + 1))
    assert _tables(old) == _tables(written)


def test_a_database_from_a_partial_migration_list_upgrades_to_the_latest(tmp_path):
    path = tmp_path / "synth.db"
    first_two = migration_files()[:2]
    conn = sqlite3.connect(path, isolation_level=None)
    assert runner.migrate(SqliteMigrationTarget(conn, str(path)), first_two) == [
        m.label for m in first_two
    ]
    conn.close()
    assert "artifact_models" not in _tables(path)
    upgraded = Database(path)
    assert upgraded.migrate() == [m.label for m in migration_files()[2:]]
    Everything.write(upgraded)
    Everything.assert_readable(upgraded)
    assert _versions(path) == list(range(1, LATEST + 1))


def _newer(path) -> None:
    Database(path).migrate()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?, 'from_the_future', '2030-01-01', NULL)",
            (LATEST + 1,),
        )


def test_a_database_a_newer_synth_ai_migrated_is_refused_in_one_line(tmp_path):
    _newer(tmp_path / "synth.db")
    with pytest.raises(runner.SchemaTooNew) as refused:
        SqliteSessionStore(Database(tmp_path / "synth.db")).get("org_a", "sess_1")
    assert f"schema version {LATEST + 1}" in refused.value.message
    assert "upgrade synth-ai" in refused.value.message and "\n" not in refused.value.message


def test_an_edited_migration_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "synth.db"
    Database(path).migrate()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_migrations SET checksum = 'abc' WHERE version = 2")
    with pytest.raises(runner.MigrationEdited, match="0002_responses"):
        Database(path).migrate()


def test_serve_and_db_migrate_refuse_a_newer_database_with_one_line_and_exit_1(cli, synth_home):
    from synth_ai.adapters.waitress_host import find_free_port

    _newer(synth_home / "synth.db")
    for args in (("serve", "--port", str(find_free_port())), ("db", "migrate")):
        done = cli(*args, timeout=60)
        assert done.returncode == 1, done.stdout + done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and f"schema version {LATEST + 1}" in lines[0], done.stderr
    status = cli("db", "status")
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines()[-1] == (
        f"unknown  {LATEST + 1:04d}  (recorded by a newer synth-ai)"
    )


def test_db_migrate_on_the_sqlite_store_applies_then_reports_the_version(cli, synth_home):
    first = cli("db", "migrate", "--format", "json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "store": "sqlite",
        "applied": [m.label for m in migration_files()],
        "version": LATEST,
    }
    again = cli("db", "migrate")
    assert again.returncode == 0 and again.stdout == f"Schema is at version {LATEST}.\n"
    status = cli("db", "status")
    assert status.stdout.splitlines() == [f"applied  {m.label}" for m in migration_files()]


def test_db_status_of_a_missing_file_lists_every_migration_pending_and_creates_nothing(
    cli, synth_home
):
    status = cli("db", "status")
    assert status.stdout.splitlines() == [f"pending  {m.label}" for m in migration_files()]
    assert not (synth_home / "synth.db").exists()


STARTER = """
import sys, time
from synth_ai.adapters.sqlite import Database
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
print(",".join(Database(sys.argv[1]).migrate()))
"""


def test_processes_starting_at_once_apply_each_migration_exactly_once(tmp_path):
    path = tmp_path / "synth.db"
    start = time.time() + 1.5  # every process is up and waiting by then
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, str(path), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    done = [starter.communicate(timeout=60) for starter in starters]
    assert [starter.returncode for starter in starters] == [0, 0, 0], [err for _, err in done]
    applied = [label for out, _ in done for label in out.strip().split(",") if label]
    assert sorted(applied) == [m.label for m in migration_files()]
    assert _versions(path) == list(range(1, LATEST + 1))
