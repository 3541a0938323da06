"""Versioned migrations of the PostgreSQL store: applied once, in order, on start or by
``synth-ai db migrate``, safely from several replicas at once."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import psycopg
import pytest
from synth_ai.adapters.postgres.database import Database, migration_files
from synth_ai.adapters.sql_common.migrations import SchemaTooNew
from synth_ai.domain.errors import ServiceUnavailable

from tests.support.postgres import schema_url


def _tables(url: str, schema: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
    return {name for (name,) in rows}


def test_migrations_are_numbered_without_gaps_from_one():
    versions = [version for version, _, _ in migration_files()]
    assert versions == list(range(1, len(versions) + 1))


def test_opening_the_store_applies_every_migration_once(postgres_url, postgres_schema):
    database = Database(postgres_url, schema=postgres_schema)
    try:
        database.query("SELECT 1")
        assert database.applied() == [v for v, _, _ in migration_files()]
        assert database.migrate() == []  # nothing left to apply
    finally:
        database.close()
    assert {"schema_migrations", "org_sessions", "usage_ledger"} <= _tables(
        postgres_url, postgres_schema
    )


def test_replicas_starting_at_once_apply_each_migration_exactly_once(postgres_url, postgres_schema):
    databases = [
        Database(postgres_url, schema=postgres_schema, migrate_on_start=False) for _ in range(4)
    ]
    try:
        with ThreadPoolExecutor(4) as pool:
            applied = list(pool.map(lambda db: db.migrate(), databases))
        names = [name for batch in applied for name in batch]
        assert sorted(names) == [f"{v:04d}_{n}" for v, n, _ in migration_files()]
    finally:
        for database in databases:
            database.close()


def test_an_unreachable_server_is_one_clear_line():
    database = Database("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(ServiceUnavailable, match=r"PostgreSQL at .*:1/none is unreachable"):
        database.query("SELECT 1")


def test_synth_ai_db_migrate_applies_then_reports_the_version(cli, postgres_url, postgres_schema):
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {postgres_schema}")
    sep = "&" if "?" in postgres_url else "?"
    url = f"{postgres_url}{sep}options={quote(f'-csearch_path={postgres_schema}')}"
    env = {"SYNTH_AI_POSTGRES_URL": url, "SYNTH_AI_STORE": "postgres"}
    first = cli("db", "migrate", "--format", "json", env=env)
    assert first.returncode == 0, first.stderr
    latest = max(v for v, _, _ in migration_files())
    assert json.loads(first.stdout)["store"] == "postgres"
    assert json.loads(first.stdout)["version"] == latest
    assert len(json.loads(first.stdout)["applied"]) == latest
    again = cli("db", "migrate", env=env)
    assert again.returncode == 0 and again.stdout.strip() == f"Schema is at version {latest}."
    status = cli("db", "status", env=env)
    assert status.stdout.splitlines()[0] == "applied  0001_sessions"


def test_synth_ai_db_migrate_against_no_server_exits_1_with_one_line(cli):
    done = cli("db", "migrate", "--url", "postgresql://nobody@127.0.0.1:1/none")
    assert done.returncode == 1
    assert "unreachable" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_database_made_by_the_first_schema_is_upgraded_keeping_its_sessions(
    postgres_url, postgres_schema
):
    from synth_ai.adapters.postgres import PostgresSessionStore
    from synth_ai.domain.sessions.model import Limit, Session

    [(version, name, first_sql), *later] = migration_files()
    assert later, "needs a second migration to upgrade to"
    with psycopg.connect(postgres_url) as conn:  # what a release with only 0001 left behind
        conn.execute(f"CREATE SCHEMA {postgres_schema}")
        conn.execute(f"SET search_path = {postgres_schema}")
        conn.execute(first_sql)
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TIMESTAMPTZ NOT NULL)"
        )
        conn.execute("INSERT INTO schema_migrations VALUES (%s, %s, now())", (version, name))
    old = Database(postgres_url, schema=postgres_schema, migrate_on_start=False)
    session = Session("sess_old", "org_a", "user_a", 1.0, limits=(Limit("cost_usd", 5.0),))
    try:
        PostgresSessionStore(old).create(session)
    finally:
        old.close()
    upgraded = Database(postgres_url, schema=postgres_schema)
    try:
        assert PostgresSessionStore(upgraded).get("org_a", "sess_old") == session
        assert upgraded.applied() == [v for v, _, _ in migration_files()]
    finally:
        upgraded.close()


def test_a_schema_a_newer_synth_ai_migrated_is_refused_in_one_line(
    cli, postgres_url, postgres_schema
):
    latest = max(v for v, _, _ in migration_files())
    url = schema_url(postgres_url, postgres_schema)
    database = Database(url)
    try:
        database.migrate()
    finally:
        database.close()
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO schema_migrations VALUES (%s, 'from_the_future', now(), NULL)",
            (latest + 1,),
        )
    again = Database(postgres_url, schema=postgres_schema)
    try:
        with pytest.raises(SchemaTooNew, match=f"at schema version {latest + 1}, newer"):
            again.query("SELECT 1")
    finally:
        again.close()
    done = cli("db", "migrate", env={"SYNTH_AI_POSTGRES_URL": url, "SYNTH_AI_STORE": "postgres"})
    assert done.returncode == 1 and "upgrade synth-ai" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
