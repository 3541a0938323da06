"""A real SQLite database that a test can make full or read-only mid-run."""

from __future__ import annotations

from synth_ai.adapters.sqlite import Database


class FaultyDatabase(Database):
    """A real SQLite database that can be made full (``max_page_count``) or read-only
    (``query_only``) on every connection, as a full disk or a read-only mount would."""

    fault: str | None = None

    def connect(self):
        conn = super().connect()
        if self.fault == "full":
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")
        else:
            conn.execute("PRAGMA max_page_count = 1073741823")
        conn.execute(f"PRAGMA query_only = {1 if self.fault == 'read-only' else 0}")
        return conn
