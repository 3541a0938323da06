-- The artifact catalog: models, prompt jobs and their snapshots, per org. IF NOT EXISTS:
-- adopted from a synth.db made before versioned migrations.
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
