"""The migration rules every SQL store shares, and how a SQLite migration file is cut into
statements (each runs inside the migration's one transaction)."""

from __future__ import annotations

import pytest
from synth_ai.adapters.sql_common import migrations as runner
from synth_ai.adapters.sqlite.schema import migration_files, statements

FILES = [runner.Migration(1, "first", "CREATE TABLE a (x);"), runner.Migration(2, "second", "")]


def test_a_script_is_cut_into_its_statements_keeping_semicolons_inside_strings_and_triggers():
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (x TEXT DEFAULT ';');
    CREATE TRIGGER t_log AFTER INSERT ON t BEGIN
        INSERT INTO t VALUES ('again;');
    END;
    -- trailing comment
    """
    cut = list(statements(script))
    assert len(cut) == 2
    assert cut[0].endswith("CREATE TABLE t (x TEXT DEFAULT ';');")
    assert cut[1].startswith("CREATE TRIGGER") and cut[1].endswith("END;")


def test_a_script_ending_in_an_unfinished_statement_is_refused():
    with pytest.raises(ValueError, match="unfinished statement"):
        list(statements("CREATE TABLE t (x); CREATE TABLE u (y)"))


def test_every_packaged_sqlite_migration_cuts_into_statements():
    for migration in migration_files():
        assert list(statements(migration.sql)), migration.label


def test_a_version_the_code_does_not_know_is_refused_as_too_new():
    with pytest.raises(runner.SchemaTooNew, match=r"db is at schema version 3, .* \(up to 2\)"):
        runner.check({1: None, 3: None}, FILES, "db")


def test_a_recorded_checksum_that_differs_from_the_file_is_refused_and_none_is_accepted():
    runner.check({1: None, 2: FILES[1].checksum}, FILES, "db")
    with pytest.raises(runner.MigrationEdited, match="0001_first"):
        runner.check({1: "0" * 64}, FILES, "db")


def test_status_lists_known_versions_then_unknown_ones():
    assert list(runner.status({1: None, 7: None}, FILES)) == [
        ("0001_first", "applied"),
        ("0002_second", "pending"),
        ("0007", "unknown"),
    ]
