"""Fakes of the artifact ports: the catalog, the model hub, the weights on disk."""

from __future__ import annotations


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
        from synth_ai.domain.artifacts.errors import UnknownArtifactId

        if model_id not in self.models:
            raise UnknownArtifactId(f"no model with id {model_id!r}", param="id")
        return self.models[model_id]

    def get_prompt_job(self, job_id):
        from synth_ai.domain.artifacts.errors import UnknownArtifactId

        if job_id not in self.jobs:
            raise UnknownArtifactId(f"no prompt job with id {job_id!r}", param="job_id")
        return self.jobs[job_id]

    def get_snapshot(self, job_id, snapshot_id):
        from synth_ai.domain.artifacts.errors import UnknownSnapshot

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
    """A hub in memory: ``repos[repo_id]`` holds what each upload committed.

    ``accept`` (when set) is the only token it takes, given per call or at construction, as a
    real hub refuses any other; ``uploads`` records each call's arguments.
    """

    def __init__(self, token: str | None = None, *, accept: str | None = None):
        self._token = token
        self._accept = accept
        self.uploads: list[dict] = []
        self.repos: dict[str, dict] = {}

    def upload_folder(self, folder, *, repo_id, private, model_card, token=None, progress=None):
        from synth_ai.domain.artifacts.errors import ExportFailed
        from synth_ai.ports.artifacts import HubUpload

        used = token or self._token
        if self._accept is not None and used != self._accept:
            raise ExportFailed(
                "the hub refused the token (401) — pass --hf-token or set HF_TOKEN",
                code="hub_unauthorized",
            )
        paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "README.md")
        files = [p.relative_to(folder).as_posix() for p in paths]
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
        repo = self.repos.setdefault(repo_id, {"private": private, "files": {}})
        total = sum(p.stat().st_size for p in paths) + len(model_card.encode())
        done = 0
        for path, name in zip(paths, files, strict=True):
            repo["files"][name] = path.read_bytes()
            done += path.stat().st_size
            if progress:
                progress(done, total, name)
        repo["files"]["README.md"] = model_card.encode()
        if progress:
            progress(total, total, "README.md")
        return HubUpload(
            repo_id, f"https://hub.invalid/{repo_id}", [*files, "README.md"], "fakecommit"
        )


class FakeWeightsFiles:
    """``WeightsFiles`` over a dict: ``folders[path]`` lists the files below it (relative),
    ``links[path]`` is where a symlinked path really points."""

    def __init__(self, folders: dict[str, list[str]] | None = None, links: dict | None = None):
        self.folders = folders or {}
        self.links = links or {}

    def inspect(self, path: str):
        from synth_ai.ports.artifacts import WeightsFolder

        files = self.folders.get(path)
        return WeightsFolder(
            path,
            self.resolve(path),
            files is not None,
            frozenset(f.split("/", 1)[0] for f in files or [] if "/" in f),
            bool(files),
        )

    def resolve(self, path: str) -> str:
        return self.links.get(path, path)
