"""Small fakes of the ports, for unit tests (no MagicMock)."""

from __future__ import annotations

import itertools
import threading


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0):
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


# -- task apps and tunnels (issue 3) --------------------------------------------------------


class InMemoryServiceRecords:
    """``ServiceRecords`` in memory; ``alive`` says which pids still run."""

    def __init__(self, alive: set[int] | None = None):
        self.alive = alive if alive is not None else set()
        self._records: dict = {}

    def add(self, record) -> None:
        self._records[record.id] = record

    def list(self) -> list:
        self._records = {k: r for k, r in self._records.items() if r.pid in self.alive}
        return list(self._records.values())

    def get(self, record_id: str):
        return next((r for r in self.list() if r.id == record_id), None)

    def remove(self, record_id: str) -> bool:
        return self._records.pop(record_id, None) is not None


class InMemoryCloudflareApi:
    """``CloudflareApi`` in memory: tunnels with ingress, DNS records and tokens."""

    def __init__(self):
        self.tunnels: dict[str, dict] = {}
        self.dns: dict[str, str] = {}
        self._ids = itertools.count(1)

    def create_tunnel(self, name: str) -> str:
        tunnel_id = f"cf-tunnel-{next(self._ids)}"
        self.tunnels[tunnel_id] = {"name": name, "ingress": {}}
        return tunnel_id

    def configure_ingress(self, tunnel_id: str, hostname: str, service: str) -> None:
        self.tunnels[tunnel_id]["ingress"] = {hostname: service}

    def route_dns(self, tunnel_id: str, hostname: str) -> None:
        self.dns[hostname] = f"{tunnel_id}.cfargotunnel.com"

    def tunnel_token(self, tunnel_id: str) -> str:
        return f"token-for-{tunnel_id}"

    def delete_tunnel(self, tunnel_id: str) -> None:
        del self.tunnels[tunnel_id]


class InMemoryTunnelRecords:
    def __init__(self):
        self._rows: dict[str, tuple[str, object]] = {}

    def add(self, org_id: str, record) -> None:
        self._rows[record.id] = (org_id, record)

    def list(self, org_id: str) -> list:
        return sorted(
            (r for o, r in self._rows.values() if o == org_id), key=lambda r: r.created_at
        )

    def find_subdomain(self, subdomain: str):
        return next(((o, r) for o, r in self._rows.values() if r.subdomain == subdomain), None)


class LoopbackTunnels:
    """``TunnelProvider`` without a tunnel: the "public" URL is the local one (checked once)."""

    def __init__(self):
        self.opened: list = []
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def open(
        self, local_host: str, local_port: int, *, mode: str = "quick", subdomain: str | None = None
    ):
        import http.client

        from synth_ai.domain.task_apps.errors import TunnelFailed

        try:
            conn = http.client.HTTPConnection(local_host, local_port, timeout=2)
            conn.request("GET", "/health")
            conn.getresponse().read()
            conn.close()
        except OSError as exc:
            raise TunnelFailed(f"nothing answers on {local_host}:{local_port} ({exc})") from exc
        handle = _LoopbackTunnel(f"http://{local_host}:{local_port}", mode)
        self.opened.append(handle)
        return handle


class _LoopbackTunnel:
    def __init__(self, url: str, mode: str):
        self.url = url
        self.mode = mode
        self.pid = None
        self.hostname = url.split("//", 1)[1]
        self.closed = False

    def close(self) -> None:
        self.closed = True


class SequentialIds:
    def __init__(self):
        self._counter = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter):06d}"

    def new_uuid(self) -> str:
        import uuid

        return str(uuid.UUID(int=next(self._counter)))


# --- artifacts ---------------------------------------------------------------------------


class FakeArtifactCatalog:
    """In-memory ``ArtifactCatalog`` with the same semantics as the SQLite adapter."""

    def __init__(self):
        self.models: dict = {}
        self.jobs: dict = {}
        self.snapshots: dict = {}  # job_id -> {snapshot_id: snapshot}, insertion-ordered

    def register_model(self, model):
        self.models[model.id] = model
        return model

    def register_prompt_job(self, job):
        import attrs

        old = self.jobs.get(job.job_id)
        if old is not None:
            job = attrs.evolve(
                old,
                status=job.status,
                algorithm=job.algorithm or old.algorithm,
                metadata={**old.metadata, **job.metadata},
                updated_at=job.updated_at,
            )
        self.jobs[job.job_id] = job
        return job

    def add_snapshot(self, snapshot):
        import attrs

        job = self.get_prompt_job(snapshot.job_id)
        shots = self.snapshots.setdefault(snapshot.job_id, {})
        shots.pop(snapshot.snapshot_id, None)
        shots[snapshot.snapshot_id] = snapshot
        scored = [s for s in shots.values() if s.score is not None]
        best = max(scored, key=lambda s: s.score, default=None)  # first of equals wins
        job = attrs.evolve(
            job,
            best_snapshot_id=best.snapshot_id if best else None,
            best_score=best.score if best else None,
            best_validation_score=best.validation_score if best else None,
            updated_at=max(job.updated_at, snapshot.created_at),
        )
        self.jobs[job.job_id] = job
        return job

    def list_artifacts(self, *, kind="all", status=None, limit=50):
        from synth_ai.ports.artifacts import ArtifactListing

        def keep(items):
            return sorted(
                [i for i in items if status is None or i.status == status],
                key=lambda i: -i.created_at,
            )

        models = keep(self.models.values()) if kind in ("models", "all") else []
        prompts = keep(self.jobs.values()) if kind in ("prompts", "all") else []
        return ArtifactListing.newest(
            models[:limit], prompts[:limit], limit, len(models) + len(prompts)
        )

    def get_model(self, model_id):
        from synth_ai.domain.errors import UnknownArtifactId

        if model_id not in self.models:
            raise UnknownArtifactId(f"no model with id {model_id!r}", param="id")
        return self.models[model_id]

    def get_prompt_job(self, job_id):
        from synth_ai.domain.errors import UnknownArtifactId

        if job_id not in self.jobs:
            raise UnknownArtifactId(f"no prompt job with id {job_id!r}", param="job_id")
        return self.jobs[job_id]

    def get_snapshot(self, job_id, snapshot_id):
        from synth_ai.domain.errors import UnknownSnapshot

        self.get_prompt_job(job_id)
        shot = self.snapshots.get(job_id, {}).get(snapshot_id)
        if shot is None:
            raise UnknownSnapshot(
                f"job {job_id} has no snapshot {snapshot_id!r}", param="snapshot_id"
            )
        return shot

    def list_snapshots(self, job_id):
        self.get_prompt_job(job_id)
        return list(self.snapshots.get(job_id, {}).values())


class FakeModelHub:
    """Records uploads instead of talking to a hub."""

    def __init__(self):
        self.uploads: list[dict] = []

    def upload_folder(self, folder, *, repo_id, private, model_card, token=None, progress=None):
        from synth_ai.ports.artifacts import HubUpload

        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        self.uploads.append(
            {
                "folder": folder,
                "repo_id": repo_id,
                "private": private,
                "model_card": model_card,
                "token": token,
                "files": files,
            }
        )
        return HubUpload(
            repo_id, f"https://hub.invalid/{repo_id}", [*files, "README.md"], "fakecommit"
        )


# Fakes kept in a module per capability, re-exported for existing imports.
from tests.fakes.responses import (  # noqa: E402
    FakeChatStream,
    InMemoryResponseStore,
    RecordingMeter,
    RecordingMeterFactory,
    ScriptedChatProvider,
    chat_chunks,
)
from tests.fakes.sessions import FakeSessionStore  # noqa: E402

__all__ = [
    "FakeChatStream",
    "FakeSessionStore",
    "InMemoryResponseStore",
    "RecordingMeter",
    "RecordingMeterFactory",
    "ScriptedChatProvider",
    "chat_chunks",
]
