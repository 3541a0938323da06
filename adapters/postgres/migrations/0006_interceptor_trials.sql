-- The interceptor's trials of prompt optimisation, shared by every serve replica: the trial,
-- its rollouts' call counters, and each rollout's last few exchanges.
CREATE TABLE interceptor_trials (
    trial_id TEXT PRIMARY KEY, doc TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE INDEX interceptor_trials_age ON interceptor_trials (created_at);
CREATE TABLE interceptor_rollouts (
    trial_id TEXT NOT NULL REFERENCES interceptor_trials (trial_id) ON DELETE CASCADE,
    tag TEXT NOT NULL, calls INTEGER NOT NULL DEFAULT 0, refused BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (trial_id, tag));
CREATE TABLE interceptor_exchanges (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trial_id TEXT NOT NULL REFERENCES interceptor_trials (trial_id) ON DELETE CASCADE,
    tag TEXT NOT NULL, item TEXT NOT NULL);
CREATE INDEX interceptor_exchanges_by_rollout ON interceptor_exchanges (trial_id, tag, seq);
