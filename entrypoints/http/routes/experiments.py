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
from synth_ai.http.payload import query_int, read_json, send_json

TAG = "experiments"
OBJ = {"type": "object"}


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
        limit = query_int(req, "limit", 50, minimum=1, maximum=1000)
        found = self._experiments.list(
            org_id=_org(req), status=req.get_param("status") or None, limit=limit
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
        offset = query_int(req, "offset", 0, minimum=0, maximum=10**9)
        lines, next_offset = self._experiments.logs(job_id, org_id=_org(req), offset=offset)
        send_json(resp, {"job_id": job_id, "lines": lines, "next_offset": next_offset})


def register(app, spec, *, experiments) -> None:
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
                request=OBJ if method == "POST" and path == "/api/experiments" else None,
                parameters=_PARAMS.get(path),
                status=201 if path == "/api/experiments" and method == "POST" else 200,
            )


_PARAMS = {
    "/api/experiments": [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 50}},
        {"name": "status", "in": "query", "schema": {"type": "string"}},
    ],
    "/api/experiments/jobs/{job_id}/logs": [
        {"name": "offset", "in": "query", "schema": {"type": "integer", "default": 0}},
    ],
}
