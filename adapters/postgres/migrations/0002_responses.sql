-- Stored responses for GET /responses/{id} and previous_response_id, one row per (org, id).
-- JSON is kept as text, byte for byte what the bridge wrote (jsonb would refuse \u0000).
CREATE TABLE responses (
    org_id       TEXT NOT NULL,
    id           TEXT NOT NULL,
    created_at   DOUBLE PRECISION NOT NULL,
    response     TEXT NOT NULL,
    input_items  TEXT NOT NULL,
    output_items TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
