"""What the artifact routes declare in ``/openapi.json``: the ids, bodies and filters they
take, as strictly as the domain checks them (schemathesis holds the two together)."""

from __future__ import annotations

from synth_ai.domain.artifacts.model import LIST_TYPES, STATUSES

MODEL_ID = r"^(ft|rl|peft):[^\s]*[^\s:][^\s]*:[A-Za-z0-9][A-Za-z0-9_.\-]*$"
JOB_ID = r"^(job_)?pl_[0-9a-fA-F]+$"
SNAPSHOT_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
REPO_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9][A-Za-z0-9_.\-]*$"
TAG = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"
WHEN = {"type": ["number", "string", "null"], "description": "seconds since the epoch or ISO 8601"}
STATUS = {"enum": list(STATUSES)}

SNAPSHOT_IN = {
    "type": "object",
    "required": ["payload"],
    "additionalProperties": False,
    "properties": {
        "payload": {"type": "object"},
        "snapshot_id": {
            "type": ["string", "null"],
            "pattern": f"^$|{SNAPSHOT_ID}",
            "description": "empty or null: a new id",
        },
        "score": {"type": ["number", "null"]},
        "validation_score": {"type": ["number", "null"]},
        "created_at": {"type": ["number", "null"], "minimum": 0, "maximum": 253402300799},
    },
}
MODEL_IN = {
    "type": "object",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": MODEL_ID},
        "status": STATUS,
        "weights_path": {"type": ["string", "null"]},
        "metadata": {"type": "object"},
        "created_at": {"type": ["number", "null"], "minimum": 0, "maximum": 253402300799},
    },
}
PROMPT_JOB_IN = {
    "type": "object",
    "required": ["job_id"],
    "additionalProperties": False,
    "properties": {
        "job_id": {"type": "string", "pattern": JOB_ID},
        "status": STATUS,
        "algorithm": {"type": ["string", "null"]},
        "metadata": {"type": "object"},
        "created_at": {"type": ["number", "null"], "minimum": 0, "maximum": 253402300799},
        "snapshots": {"type": "array", "items": SNAPSHOT_IN},
    },
}
EXPORT_IN = {
    "type": "object",
    "required": ["model_id", "repo_id"],
    "additionalProperties": False,
    "properties": {
        "model_id": {"type": "string", "pattern": MODEL_ID},
        "repo_id": {"type": "string", "pattern": REPO_ID, "maxLength": 96},
        "private": {"type": ["boolean", "null"]},
        "visibility": {"type": ["string", "null"]},
        "tags": {"type": "array", "items": {"type": "string", "pattern": TAG}},
        "prefer_merged": {"type": "boolean"},
        "hf_token": {"type": ["string", "null"]},
    },
}


def path_param(name: str, pattern: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": pattern},
    }


LIST_PARAMS = [
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50},
    },
    {"name": "type", "in": "query", "schema": {"enum": list(LIST_TYPES)}},
    {"name": "status", "in": "query", "schema": STATUS},
]
IDS = {
    "model_id": path_param("model_id", MODEL_ID),
    "job_id": path_param("job_id", JOB_ID),
    "snapshot_id": path_param("snapshot_id", SNAPSHOT_ID),
}
REQUESTS = {
    "/api/artifacts/models": MODEL_IN,
    "/api/artifacts/prompts": PROMPT_JOB_IN,
    "/api/artifacts/prompts/{job_id}/snapshots": SNAPSHOT_IN,
    "/api/learning/exports/hf": EXPORT_IN,
}
