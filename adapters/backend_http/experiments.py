"""The experiments the CLI sees through a running ``synth-ai serve`` (``--base-url``).

Config and env paths are resolved against the experiment file's folder here, on the client,
and sent absolute: the backend validates them on its own filesystem (same machine or a shared
mount). The org is the one behind the API key.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import attrs
from synth_ai.adapters.backend_http.client import BackendClient
from synth_ai.adapters.wire.experiments import (
    experiment_from_wire,
    job_from_wire,
    request_to_wire,
    view_from_wire,
)
from synth_ai.domain.experiments.model import Experiment, ExperimentView, Job
from synth_ai.domain.experiments.submission import ExperimentRequest, resolve

BASE = "/api/experiments"


class BackendExperiments:
    def __init__(self, client: BackendClient):
        self._client = client

    def submit(self, request: ExperimentRequest, *, base_dir: Path, source: str) -> ExperimentView:
        absolute = attrs.evolve(
            request,
            jobs=tuple(
                attrs.evolve(
                    job,
                    config_path=str(resolve(job.config_path, base_dir)),
                    env_path=str(resolve(job.env_path, base_dir)) if job.env_path else None,
                )
                for job in request.jobs
            ),
        )
        body = request_to_wire(absolute)
        return view_from_wire(self._client.post(BASE, json=body, headers={"X-Source": source}))

    def list(self, *, status: str | None = None, limit: int = 50) -> list[Experiment]:
        data = self._client.get(BASE, params={"status": status, "limit": limit})
        return [experiment_from_wire(e) for e in data["experiments"]]

    def status(self, experiment_id: str) -> ExperimentView:
        return view_from_wire(self._client.get(f"{BASE}/{quote(experiment_id, safe='')}"))

    def job(self, job_id: str) -> Job:
        return job_from_wire(self._client.get(f"{BASE}/jobs/{quote(job_id, safe='')}"))

    def logs(self, job_id: str, offset: int = 0) -> tuple[list[str], int]:
        data = self._client.get(
            f"{BASE}/jobs/{quote(job_id, safe='')}/logs", params={"offset": offset}
        )
        return list(data["lines"]), int(data["next_offset"])

    def cancel(self, experiment_id: str) -> ExperimentView:
        return view_from_wire(self._client.post(f"{BASE}/{quote(experiment_id, safe='')}/cancel"))
