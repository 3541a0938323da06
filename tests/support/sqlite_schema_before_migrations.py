"""The SQLite schema as synth-ai wrote it before versioned migrations, frozen: each store ran
its own ``CREATE TABLE IF NOT EXISTS`` script on first use (and the session store copied a
synth.db from before per-org session ids over). Tests build a database the previous release
would have left behind from these, then open it with the current code. Never edit them.
"""

SCRIPTS = {
    "sessions": """
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
""",
    "responses": """
CREATE TABLE IF NOT EXISTS responses (
    org_id       TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   REAL NOT NULL,
    response     TEXT NOT NULL,
    input_items  TEXT NOT NULL,
    output_items TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
""",
    "artifacts": """
CREATE TABLE IF NOT EXISTS artifact_models (
    org_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, base_model TEXT NOT NULL,
    job_id TEXT NOT NULL, status TEXT NOT NULL, created_at REAL NOT NULL, weights_path TEXT,
    metadata TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (org_id, id));
CREATE INDEX IF NOT EXISTS artifact_models_recent ON artifact_models (org_id, created_at DESC);
CREATE INDEX IF NOT EXISTS artifact_models_status ON artifact_models (org_id, status, created_at DESC);
CREATE TABLE IF NOT EXISTS prompt_jobs (
    org_id TEXT NOT NULL, job_id TEXT NOT NULL, status TEXT NOT NULL, algorithm TEXT,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, best_score REAL,
    best_validation_score REAL, best_snapshot_id TEXT, metadata TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, job_id));
CREATE INDEX IF NOT EXISTS prompt_jobs_recent ON prompt_jobs (org_id, created_at DESC);
CREATE INDEX IF NOT EXISTS prompt_jobs_status ON prompt_jobs (org_id, status, created_at DESC);
CREATE TABLE IF NOT EXISTS prompt_snapshots (
    org_id TEXT NOT NULL, job_id TEXT NOT NULL, snapshot_id TEXT NOT NULL,
    seq INTEGER NOT NULL, payload TEXT NOT NULL, score REAL, validation_score REAL,
    created_at REAL NOT NULL, PRIMARY KEY (org_id, job_id, snapshot_id));
""",
    "tunnels": """
CREATE TABLE IF NOT EXISTS tunnels (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    subdomain TEXT NOT NULL UNIQUE,
    hostname TEXT NOT NULL,
    local_host TEXT NOT NULL,
    local_port INTEGER NOT NULL,
    tunnel_token TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    cloudflare_tunnel_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tunnels_org ON tunnels(org_id, created_at);
""",
    "experiments": """
CREATE TABLE IF NOT EXISTS experiments (
  experiment_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT,
  parallelism INTEGER NOT NULL, metadata TEXT NOT NULL, status TEXT NOT NULL,
  created_at REAL NOT NULL, started_at REAL, finished_at REAL, canceled INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS experiments_org ON experiments(org_id, created_at);
CREATE TABLE IF NOT EXISTS experiment_jobs (
  job_id TEXT PRIMARY KEY, experiment_id TEXT NOT NULL REFERENCES experiments(experiment_id),
  idx INTEGER NOT NULL, job_type TEXT NOT NULL, config_path TEXT NOT NULL,
  config_overrides TEXT NOT NULL, env_path TEXT, status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, dispatched_at REAL,
  started_at REAL, finished_at REAL, lease_owner TEXT, lease_expires_at REAL,
  cancel_requested INTEGER NOT NULL DEFAULT 0, reason TEXT, result TEXT NOT NULL DEFAULT '{}',
  progress TEXT NOT NULL DEFAULT '{}', checkpoint TEXT);
CREATE INDEX IF NOT EXISTS experiment_jobs_exp ON experiment_jobs(experiment_id, idx);
CREATE INDEX IF NOT EXISTS experiment_jobs_status ON experiment_jobs(status);
CREATE INDEX IF NOT EXISTS experiment_jobs_exp_status ON experiment_jobs(experiment_id, status, idx);
CREATE TABLE IF NOT EXISTS experiment_logs (
  job_id TEXT NOT NULL, seq INTEGER NOT NULL, line TEXT NOT NULL, PRIMARY KEY (job_id, seq));
CREATE TABLE IF NOT EXISTS experiment_workers (worker_id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS experiment_leases (
  name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL);
""",
}
