-- Sessions, reservations and the usage ledger. Sessions are JSON documents (the domain rules
-- run in Python inside a transaction holding the session's row lock); ids are scoped per org.
CREATE TABLE org_sessions (
    org_id TEXT NOT NULL, id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (org_id, id));
CREATE INDEX org_sessions_by_time ON org_sessions (org_id, created_at);
CREATE TABLE session_current (
    org_id TEXT NOT NULL, user_id TEXT NOT NULL, session_id TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id));
CREATE TABLE org_session_reservations (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, session_id TEXT NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL, doc TEXT NOT NULL);
CREATE INDEX org_reservations_by_session
    ON org_session_reservations (org_id, session_id, expires_at);
CREATE TABLE usage_ledger (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT UNIQUE NOT NULL,
    org_id TEXT NOT NULL, session_id TEXT, created_at DOUBLE PRECISION NOT NULL, doc TEXT NOT NULL);
CREATE INDEX ledger_by_org ON usage_ledger (org_id, seq);
CREATE INDEX ledger_by_session ON usage_ledger (session_id, seq);
