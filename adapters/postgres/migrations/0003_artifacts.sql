-- The artifact catalog: models, prompt jobs and their snapshots, per org.
CREATE TABLE artifact_models (
    org_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, base_model TEXT NOT NULL,
    job_id TEXT NOT NULL, status TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
    weights_path TEXT, metadata TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (org_id, id));
CREATE INDEX artifact_models_recent ON artifact_models (org_id, created_at DESC);
CREATE INDEX artifact_models_status ON artifact_models (org_id, status, created_at DESC);
CREATE TABLE prompt_jobs (
    org_id TEXT NOT NULL, job_id TEXT NOT NULL, status TEXT NOT NULL, algorithm TEXT,
    created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
    best_score DOUBLE PRECISION, best_validation_score DOUBLE PRECISION, best_snapshot_id TEXT,
    metadata TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (org_id, job_id));
CREATE INDEX prompt_jobs_recent ON prompt_jobs (org_id, created_at DESC);
CREATE INDEX prompt_jobs_status ON prompt_jobs (org_id, status, created_at DESC);
CREATE TABLE prompt_snapshots (
    org_id TEXT NOT NULL, job_id TEXT NOT NULL, snapshot_id TEXT NOT NULL,
    seq INTEGER NOT NULL, payload TEXT NOT NULL, score DOUBLE PRECISION,
    validation_score DOUBLE PRECISION, created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (org_id, job_id, snapshot_id));
