"""Where artifacts are stored, where model weights lie on disk, and where models are published.

An ``ArtifactCatalog`` is scoped to one org (the adapter is built for it); every
implementation (SQLite, the backend over HTTP, the test fake) passes the same contract suite,
``tests/contract/test_artifact_catalog_contract.py``. Unknown ids raise ``UnknownArtifactId``
/ ``UnknownSnapshot`` from ``synth_ai.domain.artifacts.errors``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from attrs import frozen
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot


@frozen
class ArtifactListing:
    models: list[ModelArtifact]
    prompts: list[PromptJob]
    total_count: int

    @classmethod
    def newest(
        cls, models: list[ModelArtifact], prompts: list[PromptJob], limit: int, total: int
    ) -> ArtifactListing:
        """The ``limit`` newest of both lists together (each list given newest first)."""
        merged = sorted(
            [(m.created_at, 0, m) for m in models] + [(p.created_at, 1, p) for p in prompts],
            key=lambda item: -item[0],
        )[:limit]
        return cls(
            [m for _, _, m in merged if isinstance(m, ModelArtifact)],
            [p for _, _, p in merged if isinstance(p, PromptJob)],
            total,
        )


class ArtifactCatalog(Protocol):
    def register_model(self, model: ModelArtifact) -> ModelArtifact:
        """Create or replace the model with this id."""
        ...

    def register_prompt_job(self, job: PromptJob) -> PromptJob:
        """Create the job, or update its status and algorithm and merge in its metadata.

        An existing job keeps its creation time, its best snapshot and score, and any metadata
        key the update does not mention.
        """
        ...

    def add_snapshot(self, snapshot: PromptSnapshot) -> PromptJob:
        """Store a snapshot of a registered job; a higher score becomes the job's best."""
        ...

    def list_artifacts(
        self, *, kind: str = "all", status: str | None = None, limit: int = 50
    ) -> ArtifactListing:
        """Newest first; ``limit`` caps models and prompts together; ``total_count`` ignores it."""
        ...

    def get_model(self, model_id: str) -> ModelArtifact: ...

    def get_prompt_job(self, job_id: str) -> PromptJob: ...

    def get_snapshot(self, job_id: str, snapshot_id: str) -> PromptSnapshot: ...

    def list_snapshots(self, job_id: str) -> list[PromptSnapshot]:
        """Every snapshot of a job, oldest first."""
        ...


@frozen
class HubUpload:
    repo_id: str
    url: str
    files: list[str]
    commit: str | None = None


Progress = Callable[[int, int, str], None]  # (bytes done, bytes total, current file)


class ModelHub(Protocol):
    def upload_folder(
        self,
        folder: Path,
        *,
        repo_id: str,
        private: bool,
        model_card: str,
        token: str | None = None,
        progress: Progress | None = None,
    ) -> HubUpload:
        """Create the repo if needed and commit every file of ``folder`` plus ``README.md``."""
        ...


@frozen
class WeightsFolder:
    """What the filesystem says about a registered weights location, read in one go."""

    path: str
    """As registered, with ``~`` expanded."""
    resolved: str
    """Absolute, every symlink followed: what an upload would really read."""
    is_dir: bool
    subfolders: frozenset[str] = frozenset()
    """Names of the direct sub-directories (``merged``, ``adapter`` …)."""
    holds_files: bool = False
    """Whether any regular file lies anywhere below it."""
    links: frozenset[str] = frozenset()
    """Where each symlink below it really points (resolved), files and folders alike."""


class WeightsFiles(Protocol):
    """The filesystem walk behind exports (``adapters/local_files``)."""

    def inspect(self, path: str) -> WeightsFolder: ...

    def resolve(self, path: str) -> str:
        """``path`` with ``~`` expanded and symlinks followed (an export root as configured)."""
        ...
