"""``/api/experiments…``: the experiment queue over HTTP, scoped to the caller's org.

Paths in a submitted experiment are resolved on this server (relative ones from its working
folder); the CLI sends absolute paths.
"""

from __future__ import annotations

import os
from pathlib import Path

from synth_ai.adapters.wire.experiments import (
    experiment_to_wire,
    job_to_wire,
    parse_request,
    view_to_wire,
)
from synth_ai.domain.experiments.model import MAX_PARALLELISM, MIN_PARALLELISM, STATES
from synth_ai.http.payload import IntParam, read_json, send_json

TAG = "experiments"
JOB_SCHEMA = {
    "type": "object",
    "required": ["job_type", "config_path"],
    "additionalProperties": False,
    "properties": {
        "job_type": {"type": "string"},
        "config_path": {"type": "string", "description": "a config file on this server"},
        "config_overrides": {"type": "object"},
        "env_path": {"type": ["string", "null"]},
    },
}
EXPERIMENT_SCHEMA = {
    "type": "object",
    "required": ["name", "jobs"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": r"\S"},
        "jobs": {"type": "array", "minItems": 1, "items": JOB_SCHEMA},
        "description": {"type": ["string", "null"]},
        "parallelism": {"type": "integer", "minimum": MIN_PARALLELISM, "maximum": MAX_PARALLELISM},
        "metadata": {"type": "object"},
    },
}
LIMIT = IntParam("limit", 50, 1, 1000)


def _submit_schema(job_types: list[str]) -> dict:
    """The submit document with ``job_type`` held to the job kinds this server runs."""
    job = {
        **JOB_SCHEMA,
        "properties": {**JOB_SCHEMA["properties"], "job_type": {"enum": job_types}},
    }
    items = {**EXPERIMENT_SCHEMA["properties"]["jobs"], "items": job}
    return {**EXPERIMENT_SCHEMA, "properties": {**EXPERIMENT_SCHEMA["properties"], "jobs": items}}


LOG_OFFSET = IntParam("offset", 0, 0, 10**9)


def _org(req) -> str:
    return req.context.principal.org_id


class _Resource:
    def __init__(self, experiments):
        self._experiments = experiments

    def _view(self, view) -> dict:
        return view_to_wire(view, self._experiments.clock.now())


class ExperimentCollection(_Resource):
    def on_post(self, req, resp):
        source = req.get_header("X-Source") or "request body"
        request = parse_request(read_json(req), source=source)
        view = self._experiments.submit(
            request, org_id=_org(req), base_dir=Path(os.getcwd()), source=source
        )
        send_json(resp, self._view(view), status=201)

    def on_get(self, req, resp):
        found = self._experiments.list(
            org_id=_org(req), status=req.get_param("status"), limit=LIMIT.read(req)
        )
        send_json(resp, {"experiments": [experiment_to_wire(e) for e in found]})


class ExperimentItem(_Resource):
    def on_get(self, req, resp, experiment_id):
        send_json(resp, self._view(self._experiments.status(experiment_id, org_id=_org(req))))


class ExperimentCancel(_Resource):
    def on_post(self, req, resp, experiment_id):
        send_json(resp, self._view(self._experiments.cancel(experiment_id, org_id=_org(req))))


class JobItem(_Resource):
    def on_get(self, req, resp, job_id):
        job = self._experiments.job(job_id, org_id=_org(req))
        send_json(resp, job_to_wire(job, self._experiments.clock.now()))


class JobLogs(_Resource):
    def on_get(self, req, resp, job_id):
        offset = LOG_OFFSET.read(req)
        lines, next_offset = self._experiments.logs(job_id, org_id=_org(req), offset=offset)
        send_json(resp, {"job_id": job_id, "lines": lines, "next_offset": next_offset})


def register(app, spec, *, experiments) -> None:
    job_types = sorted(getattr(experiments, "runners", None) or ())
    submit = _submit_schema(job_types) if job_types else EXPERIMENT_SCHEMA
    routes = [
        (
            "/api/experiments",
            ExperimentCollection,
            [
                ("POST", "Submit an experiment (validated whole; nothing stored on error)"),
                ("GET", "Experiments, newest first (?status&limit)"),
            ],
        ),
        (
            "/api/experiments/{experiment_id}",
            ExperimentItem,
            [("GET", "An experiment with its jobs")],
        ),
        (
            "/api/experiments/{experiment_id}/results",
            ExperimentItem,
            [("GET", "An experiment's jobs with their outcomes and results")],
        ),
        (
            "/api/experiments/{experiment_id}/cancel",
            ExperimentCancel,
            [("POST", "Cancel: queued jobs dropped, running jobs terminated")],
        ),
        ("/api/experiments/jobs/{job_id}", JobItem, [("GET", "One job")]),
        (
            "/api/experiments/jobs/{job_id}/logs",
            JobLogs,
            [("GET", "A job's log lines from ?offset")],
        ),
    ]
    for path, resource_cls, operations in routes:
        app.add_route(path, resource_cls(experiments))
        for method, summary in operations:
            spec.add(
                path,
                method,
                summary,
                tag=TAG,
                request=submit if method == "POST" and path == "/api/experiments" else None,
                parameters=_PARAMS.get(path) if method == "GET" else None,
                status=201 if path == "/api/experiments" and method == "POST" else 200,
            )


_PARAMS = {
    "/api/experiments": [
        LIMIT.parameter(),
        {"name": "status", "in": "query", "schema": {"enum": list(STATES)}},
    ],
    "/api/experiments/jobs/{job_id}/logs": [LOG_OFFSET.parameter()],
}
