"""A synth.db written before session ids were scoped per org keeps its sessions and its
reservations when a newer synth-ai opens it."""

import sqlite3

from synth_ai.adapters.sqlite import Database, SqliteSessionStore
from synth_ai.adapters.wire import session_documents as docs
from synth_ai.domain.sessions.model import Amounts, Limit, Reservation, Session

OLD_SCHEMA = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
    created_at REAL NOT NULL, doc TEXT NOT NULL);
CREATE INDEX sessions_by_org ON sessions (org_id, created_at);
CREATE TABLE session_reservations (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL, created_at REAL NOT NULL, doc TEXT NOT NULL);
"""


def test_an_old_database_is_migrated_to_per_org_session_ids(tmp_path):
    path = tmp_path / "synth.db"
    session = Session("sess_old", "org_a", "user_a", 1000.0, limits=(Limit("cost_usd", 1.0),))
    held = Reservation("res_old", "sess_old", "org_a", "user_a", Amounts(cost_usd=0.5), 1000.0)
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
            ("sess_old", "org_a", "user_a", "active", 1000.0, docs.dumps(session)),
        )
        conn.execute(
            "INSERT INTO session_reservations VALUES (?, ?, ?, ?)",
            ("res_old", "sess_old", 1000.0, docs.dumps(held)),
        )
    store = SqliteSessionStore(Database(path))
    assert store.get("org_a", "sess_old") == session
    assert store.get("org_b", "sess_old") is None
    assert store.get_reservation("res_old") == held
    # A job's reservation from before is held for the old TTL (6 h), not released at once.
    assert store.release_lapsed("org_a", "sess_old", 1000.0 + 3600) is not None
    assert store.get_reservation("res_old") == held
    tables = {
        row[0]
        for row in sqlite3.connect(path).execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert "sessions" not in tables and "org_sessions" in tables
