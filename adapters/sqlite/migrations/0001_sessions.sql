-- Sessions, reservations and the usage ledger. Sessions are JSON documents (the domain rules
-- run in Python inside a BEGIN IMMEDIATE transaction); ids are scoped per org, the key is
-- (org_id, id). ``expires_at`` of a reservation is its lease end.
-- IF NOT EXISTS: a synth.db made before versioned migrations already has these tables.
CREATE TABLE IF NOT EXISTS org_sessions (
    org_id TEXT NOT NULL, id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
    created_at REAL NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (org_id, id));
CREATE INDEX IF NOT EXISTS org_sessions_by_time ON org_sessions (org_id, created_at);
CREATE TABLE IF NOT EXISTS session_current (
    org_id TEXT NOT NULL, user_id TEXT NOT NULL, session_id TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id));
CREATE TABLE IF NOT EXISTS org_session_reservations (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, session_id TEXT NOT NULL,
    expires_at REAL NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS org_reservations_by_session
    ON org_session_reservations (org_id, session_id, expires_at);
CREATE TABLE IF NOT EXISTS usage_ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, org_id TEXT NOT NULL,
    session_id TEXT, created_at REAL NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_by_org ON usage_ledger (org_id, seq);
CREATE INDEX IF NOT EXISTS ledger_by_session ON usage_ledger (session_id, seq);

-- Databases written before session ids were scoped per org keep sessions in ``sessions``
-- (keyed by id alone) and reservations in ``session_reservations``: copied over, then dropped
-- (made empty first where they do not exist, so this runs the same on every database). A
-- reservation from then is held for the old 6 h TTL from its creation.
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
    created_at REAL NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS session_reservations (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL, created_at REAL NOT NULL, doc TEXT NOT NULL);
INSERT OR IGNORE INTO org_sessions (org_id, id, user_id, status, created_at, doc)
    SELECT org_id, id, user_id, status, created_at, doc FROM sessions;
INSERT OR IGNORE INTO org_session_reservations (id, org_id, session_id, expires_at, doc)
    SELECT id, json_extract(doc, '$.org_id'), session_id,
        COALESCE(json_extract(doc, '$.expires_at'), created_at + 21600), doc
    FROM session_reservations;
DROP TABLE session_reservations;
DROP TABLE sessions;
