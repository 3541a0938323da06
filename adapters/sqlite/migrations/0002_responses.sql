-- Stored responses for GET /responses/{id} and previous_response_id, one row per (org, id),
-- JSON kept as text. IF NOT EXISTS: adopted from a synth.db made before versioned migrations.
CREATE TABLE IF NOT EXISTS responses (
    org_id       TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   REAL NOT NULL,
    response     TEXT NOT NULL,
    input_items  TEXT NOT NULL,
    output_items TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
