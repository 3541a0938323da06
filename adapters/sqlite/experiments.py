"""``ExperimentStore`` on SQLite: one machine, many worker processes (WAL, BEGIN IMMEDIATE)."""

from __future__ import annotations

from synth_ai.adapters.sql_common.dialect import SQLITE
from synth_ai.adapters.sql_common.experiments import SqlExperimentStore
from synth_ai.adapters.sqlite.database import Database

SCHEMA = """
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
"""


class SqliteExperimentStore(SqlExperimentStore):
    """The shared SQL experiment store on the SQLite file (``BEGIN IMMEDIATE`` serialises it)."""

    def __init__(self, database: Database):
        self._db = database
        database.ensure_schema("experiments", SCHEMA)

    _dialect = SQLITE
