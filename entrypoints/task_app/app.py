"""``create_task_app(config)``: the Falcon WSGI app with the routes synth-ai task apps expose.

``GET /`` (no auth), ``GET /health`` (no auth; 503 while ``ENVIRONMENT_API_KEY`` is unset),
``GET /info``, ``GET /task_info?seed=…``, ``POST /rollout``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time

import falcon
from cattrs.preconf.json import make_converter
from synth_ai import __version__
from synth_ai.domain.errors import InvalidInput, SynthError, ValidationFailed
from synth_ai.domain.task_apps.model import RolloutRequest, RolloutResponse
from synth_ai.http.errors import handle_synth_error, handle_unexpected, serialize_http_error
from synth_ai.http.payload import read_object, send_json, structure
from synth_ai.task_app.auth import EnvironmentKeyAuth
from synth_ai.task_app.config import TaskAppConfig

log = logging.getLogger("synth_ai.task_app")
_out = make_converter()


def _service(config: TaskAppConfig) -> dict:
    d = config.descriptor
    return {
        "task": {"id": d.id, "name": d.name, "version": d.version, "description": d.description},
        "version": d.version,
        "sdk": {"name": "synth-ai", "version": __version__},
    }


def rubric_sections(config: TaskAppConfig) -> dict | None:
    """``{"outcome", "events"}`` as the public task apps serve them (None without a rubric).

    A rubric with ``outcome`` / ``events`` keys is split as given; any other is the outcome one.
    """
    rubric = config.rubric
    if not rubric:
        return None
    if "outcome" in rubric or "events" in rubric:
        return {"outcome": rubric.get("outcome"), "events": rubric.get("events")}
    return {"outcome": rubric, "events": None}


def info_document(config: TaskAppConfig) -> dict:
    return {
        "service": _service(config),
        "dataset": config.dataset.describe(),
        "rubrics": rubric_sections(config),
        "inference": dict(config.inference),
        "capabilities": list(config.capabilities),
        "limits": dict(config.limits),
    }


def task_info_for(config: TaskAppConfig, seed: int) -> dict:
    d = config.descriptor
    extra = config.task_info(seed) if config.task_info else {}
    split = next(
        (p.name for p in config.dataset.splits if seed in p.seeds), config.dataset.default_split
    )
    info = {
        "task": {"id": d.id, "name": d.name, "version": d.version},
        "environment": config.environment or d.id,
        "dataset": {**config.dataset.describe(), "seed": seed, "split": split},
        "rubric": rubric_sections(config),
        "inference": dict(config.inference),
        "limits": dict(config.limits),
        "task_metadata": {"seed": seed},
    }
    if extra:
        info["task_metadata"].update(
            extra.pop("task_metadata", {}) if isinstance(extra, dict) else {}
        )
        info.update(extra)
    return info


class Root:
    auth_required = False

    def __init__(self, config: TaskAppConfig):
        self._config = config

    def on_get(self, req, resp):
        send_json(resp, {"status": "ok", "service": _service(self._config)})


class Health:
    auth_required = False

    def __init__(self, config: TaskAppConfig, auth: EnvironmentKeyAuth):
        self._config = config
        self._auth = auth

    def on_get(self, req, resp):
        configured = bool(self._auth.expected())
        body = {
            "healthy": configured,
            "service": _service(self._config),
            "auth": {
                "required": True,
                "configured": configured,
                "env_var": self._config.api_key_env,
            },
        }
        if not configured:
            body["detail"] = f"{self._config.api_key_env} is not set on the task app"
        send_json(resp, body, status=200 if configured else 503)


class Info:
    def __init__(self, config: TaskAppConfig):
        self._config = config

    def on_get(self, req, resp):
        send_json(resp, info_document(self._config))


class TaskInfoResource:
    def __init__(self, config: TaskAppConfig):
        self._config = config

    def on_get(self, req, resp):
        raw = req.get_param_as_list("seed") or []
        raw += req.get_param_as_list("seeds") or []
        if not raw:
            d = self._config.descriptor
            send_json(
                resp,
                {
                    "taskset": {
                        "id": d.id,
                        "name": d.name,
                        "version": d.version,
                        "description": d.description,
                        "dataset": self._config.dataset.describe(),
                    }
                },
            )
            return
        seeds = []
        for value in raw:
            try:
                seeds.append(int(value))
            except ValueError:
                raise ValidationFailed(
                    f"seed must be an integer, got {value!r} — e.g. /task_info?seed=3&seed=4",
                    param="seed",
                ) from None
        infos = [task_info_for(self._config, seed) for seed in seeds]
        send_json(resp, infos[0] if len(infos) == 1 else infos)


class Rollout:
    def __init__(self, config: TaskAppConfig):
        self._config = config

    def on_post(self, req, resp):
        request = structure(read_object(req), RolloutRequest, forbid_extra=False)
        started = time.perf_counter()
        log.info("rollout %s: seed %s", request.run_id, request.seed)
        result = self._config.rollout(request)
        if inspect.isawaitable(result):  # an async rollout: this worker thread has no loop
            result = asyncio.run(_awaited(result))
        if isinstance(result, RolloutResponse):
            body = _out.unstructure(result)
        elif isinstance(result, dict):
            body = result
        else:
            raise SynthError(
                f"the rollout function returned {type(result).__name__}; return a "
                "RolloutResponse or a dict"
            )
        log.info("rollout %s done in %.3fs", request.run_id, time.perf_counter() - started)
        send_json(resp, body)


async def _awaited(awaitable):
    return await awaitable


class TaskApp(falcon.App):
    """A Falcon app that remembers the config it serves (hosts report its app id)."""

    synth_task_app_config: TaskAppConfig | None = None


def create_task_app(config: TaskAppConfig, *, api_key: str | None = None) -> TaskApp:
    """A WSGI app for ``config``. ``api_key`` fixes the key; default: ``$ENVIRONMENT_API_KEY``."""
    if not isinstance(config, TaskAppConfig):
        raise InvalidInput(f"create_task_app needs a TaskAppConfig, got {type(config).__name__}")
    auth = EnvironmentKeyAuth(api_key, config.api_key_env)
    app = TaskApp(middleware=[auth])
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.auto_parse_form_urlencoded = False
    app.set_error_serializer(serialize_http_error)
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(SynthError, handle_synth_error)
    app.add_route("/", Root(config))
    app.add_route("/health", Health(config, auth))
    app.add_route("/info", Info(config))
    app.add_route("/task_info", TaskInfoResource(config))
    app.add_route("/rollout", Rollout(config))
    app.synth_task_app_config = config
    return app
