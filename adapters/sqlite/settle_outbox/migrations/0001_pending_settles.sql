-- The settles a failing session store could not take, kept until it can (settle-outbox.db).
CREATE TABLE IF NOT EXISTS pending_settles (
    id         TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    document   TEXT NOT NULL
);
