"""The ``gepa`` and ``mipro`` job runners (the queue's ``JobRunner`` port) and their wiring.

A runner talks to a backend for everything that costs or is stored: the configured one
(``SYNTH_BACKEND_URL`` / ``[client] backend_url``), or, when none is set, a backend it starts
in-process on a free local port for the duration of the job (same store, same sessions, same
chat upstream as ``synth-ai serve`` would use).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from attrs import frozen
from synth_ai.domain.optimisation.errors import InvalidOptimisationConfig
from synth_ai.domain.optimisation.service import OptimisePrompt, check_config
from synth_ai.ports.jobs import JobContext, JobOutcome


@frozen
class BackendLink:
    client: object  # BackendClient
    url: str


@contextlib.contextmanager
def backend_for(settings) -> Iterator[BackendLink]:
    from synth_ai.adapters.backend_http import BackendClient

    if settings.backend_url:
        client = BackendClient(settings.backend_url, settings.api_key, timeout=settings.timeout)
        try:
            yield BackendLink(client, settings.backend_url)
        finally:
            client.close()
        return
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.container import create_container
    from synth_ai.http import create_app
    from synth_ai.settings.config import ensure_server_key

    settings, _ = ensure_server_key(settings)
    container = create_container(settings)
    server = BackgroundServer.start(
        create_app(container), "127.0.0.1", 0, threads=64, name="optimise-backend"
    )
    client = BackendClient(server.url, settings.api_key, timeout=max(settings.timeout, 300.0))
    try:
        yield BackendLink(client, server.url)
    finally:
        client.close()
        server.close()
        container.shutdown_resources()


def _rollouts_for(config, env: Mapping[str, str]):
    from synth_ai.task_app.client import TaskAppClient

    key = (
        config["task_app_api_key"]
        or env.get("ENVIRONMENT_API_KEY")
        or os.environ.get("ENVIRONMENT_API_KEY")
    )
    return TaskAppClient(config["task_app_url"], key, timeout=600.0)


def _engine(kind: str):
    if kind == "gepa":
        from synth_ai.adapters.gepa_engine import GepaSearch

        return GepaSearch()
    from synth_ai.adapters.optuna_search import TpeSearchFactory
    from synth_ai.domain.optimisation.mipro import MiproSearch

    return MiproSearch(TpeSearchFactory())


class OptimisationRunner:
    """``JobRunner`` for one algorithm (``kind`` is ``gepa`` or ``mipro``)."""

    def __init__(self, kind: str, settings, backend=backend_for):
        self.kind = kind
        self.settings = settings
        self.backend = backend

    def validate(self, config: Mapping, config_path: Path) -> None:
        checked = check_config(config, config_path)
        if checked.algorithm != self.kind:
            raise InvalidOptimisationConfig(
                f"{config_path}: prompt_learning.algorithm: is {checked.algorithm!r} but the job "
                f"kind is {self.kind!r} — make them the same",
                param="prompt_learning.algorithm",
            )

    def run(self, ctx: JobContext) -> JobOutcome:
        from synth_ai.domain.errors import SynthError

        self.validate(ctx.config, ctx.config_path)
        public = check_config(ctx.config, ctx.config_path)["policy.inference_url"]
        with contextlib.ExitStack() as stack:
            try:
                link = stack.enter_context(self.backend(self.settings))
            except SynthError as exc:  # e.g. the configured backend is not reachable
                return JobOutcome("failed", exc.message, {"artifact_id": None})
            return self._service(link, public).run(ctx)

    def _service(self, link: BackendLink, public: str | None) -> OptimisePrompt:
        from synth_ai.adapters.backend_http.artifacts import HttpArtifactCatalog
        from synth_ai.adapters.backend_http.optimisation import (
            HttpJobSessions,
            HttpMeteredChat,
            HttpTrials,
        )
        from synth_ai.adapters.system import RandomIds, SystemClock

        return OptimisePrompt(
            engines={self.kind: _engine(self.kind)},
            rollouts_for=_rollouts_for,
            trials=HttpTrials(link.client, public),
            sessions=HttpJobSessions(link.client),
            chat=HttpMeteredChat(link.client),
            catalog=HttpArtifactCatalog(link.client),
            clock=SystemClock(),
            ids=RandomIds(),
        )


def optimisation_runners(settings) -> dict[str, OptimisationRunner]:
    """``kind → JobRunner`` for the queue's ``job_runners`` provider."""
    return {kind: OptimisationRunner(kind, settings) for kind in ("gepa", "mipro")}
