"""The ``eval`` job kind: rollouts of a task app over seeds with a policy model.

Config (the job's TOML)::

    [eval]
    task_app_url = "http://127.0.0.1:8001"
    seeds = [0, 1, 2, 3]               # or {start = 0, end = 20}
    model = "synth-small"
    concurrency = 4                    # rollouts at once
    prompt = "…"                       # optional system prompt for the policy
    [eval.budget]                      # the session's hard limits (optional)
    cost_usd = 1.0
    tokens = 200000

The policy calls go to the backend's chat route (``inference_url`` = the backend's
``/api/synth-research/v1``) in a session opened for this job with the budget's limits, so every
rollout is metered and stops at the limit. Per-seed rewards and the mean are the job's result.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from synth_ai.domain.errors import InvalidInput
from synth_ai.ports.jobs import JobContext, JobOutcome

BUDGET_METRICS = {"cost_usd", "tokens", "api_calls"}


class InvalidEvalConfig(InvalidInput):
    code = "invalid_eval_config"


def seeds_of(section: Mapping[str, Any]) -> list[int]:
    seeds = section.get("seeds")
    if isinstance(seeds, Mapping):
        return list(range(int(seeds.get("start", 0)), int(seeds["end"])))
    return [int(s) for s in seeds or []]


class EvalRunner:
    kind = "eval"

    def __init__(
        self,
        *,
        backend_url: str,
        api_key: str | None,
        task_app_client: Callable[..., Any] | None = None,
        backend_client: Callable[..., Any] | None = None,
    ):
        self.backend_url = backend_url.rstrip("/")
        self.api_key = api_key
        self._task_app_client = task_app_client
        self._backend_client = backend_client

    @classmethod
    def from_settings(cls, settings) -> EvalRunner:
        url = settings.backend_url or f"http://{settings.host}:{settings.port}"
        return cls(backend_url=url, api_key=settings.api_key)

    def validate(self, config: Mapping[str, Any], config_path: Path) -> None:
        section = config.get("eval")
        if not isinstance(section, Mapping):
            raise InvalidEvalConfig(
                f"{config_path}: an eval job needs an [eval] table (task_app_url, seeds, model)",
                param="eval",
            )
        for key in ("task_app_url", "model"):
            if not isinstance(section.get(key), str) or not section[key]:
                raise InvalidEvalConfig(
                    f"{config_path}: eval.{key} must be a non-empty string, got {section.get(key)!r}",
                    param=f"eval.{key}",
                )
        try:
            seeds = seeds_of(section)
        except (TypeError, ValueError, KeyError) as exc:
            raise InvalidEvalConfig(
                f"{config_path}: eval.seeds must be a list of integers or {{start, end}} ({exc})",
                param="eval.seeds",
            ) from exc
        if not seeds:
            raise InvalidEvalConfig(f"{config_path}: eval.seeds is empty", param="eval.seeds")
        concurrency = section.get("concurrency", 4)
        if not isinstance(concurrency, int) or not 1 <= concurrency <= 64:
            raise InvalidEvalConfig(
                f"{config_path}: eval.concurrency must be an integer 1–64, got {concurrency!r}",
                param="eval.concurrency",
            )
        budget = section.get("budget", {})
        unknown = set(budget) - BUDGET_METRICS if isinstance(budget, Mapping) else {"?"}
        if unknown:
            raise InvalidEvalConfig(
                f"{config_path}: eval.budget takes {', '.join(sorted(BUDGET_METRICS))}, "
                f"got {sorted(unknown)}",
                param="eval.budget",
            )

    # -- running ----------------------------------------------------------------------------------
    def _clients(self, ctx: JobContext):
        import httpx
        from synth_ai.adapters.task_app_http import HttpTaskAppClient

        section = ctx.config["eval"]
        task_key = ctx.env.get("ENVIRONMENT_API_KEY")
        task_app = (self._task_app_client or HttpTaskAppClient)(section["task_app_url"], task_key)
        backend_url = str(section.get("backend_url") or self.backend_url).rstrip("/")
        api_key = ctx.env.get("SYNTH_API_KEY") or self.api_key
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        backend = (self._backend_client or httpx.Client)(
            base_url=backend_url, headers=headers, timeout=60
        )
        return task_app, backend, backend_url, api_key

    def run(self, ctx: JobContext) -> JobOutcome:
        section = ctx.config["eval"]
        seeds = seeds_of(section)
        task_app, backend, backend_url, api_key = self._clients(ctx)
        try:
            session_id = self._open_session(backend, section, ctx)
            # The task app calls inference_url with api_key; the backend charges the key's
            # current session, which _open_session just made this job's.
            policy = {
                "model": section["model"],
                "inference_url": f"{backend_url}/api/synth-research/v1",
                "api_key": api_key,
            }
            if section.get("prompt"):
                policy["prompt"] = section["prompt"]
            return self._rollouts(
                ctx, task_app, seeds, policy, int(section.get("concurrency", 4)), session_id
            )
        finally:
            task_app.close()
            backend.close()

    def _open_session(self, backend, section, ctx: JobContext) -> str | None:
        budget = section.get("budget") or {}
        limits = [
            {"metric_type": metric, "limit_value": value, "limit_type": "hard"}
            for metric, value in budget.items()
        ]
        response = backend.post(
            "/api/v1/sessions",
            json={"session_type": "eval", "limits": limits, "metadata": {"job_id": ctx.job_id}},
        )
        if response.status_code >= 400:
            ctx.log(
                f"[eval] could not open a session: HTTP {response.status_code} {response.text[:200]}"
            )
            return None
        session_id = response.json().get("session_id")
        ctx.log(f"[eval] session {session_id} opened with limits {budget or 'default'}")
        return session_id

    def _rollouts(self, ctx, task_app, seeds, policy, concurrency, session_id) -> JobOutcome:
        scores: dict[int, float] = {}
        errors: dict[int, str] = {}
        lock = threading.Lock()
        started = time.monotonic()

        def one(seed: int) -> None:
            if ctx.cancelled():
                return
            request = {
                "run_id": f"{ctx.job_id}-{seed}",
                "env": {"seed": seed},
                "policy": {"policy_id": ctx.job_id, "config": dict(policy)},
            }
            try:
                response = task_app.rollout(request)
                reward = _reward(response)
            except Exception as exc:
                with lock:
                    errors[seed] = str(exc)
                ctx.log(f"[eval] seed {seed}: {exc}")
                return
            with lock:
                scores[seed] = reward
                done = len(scores) + len(errors)
                best = max(scores.values())
            elapsed = time.monotonic() - started
            ctx.progress(
                done=done,
                total=len(seeds),
                best_score=best,
                mean_score=sum(scores.values()) / len(scores),
                eta_s=elapsed / done * (len(seeds) - done),
            )
            ctx.log(f"[eval] seed {seed}: reward {reward}")

        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, seeds))
        if ctx.cancelled():
            return JobOutcome("failed", "canceled")
        result = {
            "scores": {str(s): r for s, r in sorted(scores.items())},
            "mean_score": (sum(scores.values()) / len(scores)) if scores else None,
            "seeds": len(seeds),
            "errors": {str(s): e for s, e in sorted(errors.items())},
            "session_id": session_id,
        }
        if not scores:
            return JobOutcome("failed", f"every rollout failed ({len(errors)})", result)
        budget_hit = any("usage_limit" in e or "429" in e for e in errors.values())
        return JobOutcome("completed", "budget_exhausted" if budget_hit else None, result)


def _reward(response: Mapping[str, Any]) -> float:
    metrics = response.get("metrics") or {}
    for key in ("mean_return", "outcome_score", "episode_returns"):
        value = metrics.get(key)
        if isinstance(value, list) and value:
            return float(value[0])
        if isinstance(value, int | float):
            return float(value)
    trajectories = response.get("trajectories") or []
    rewards = [s.get("reward", 0.0) for t in trajectories for s in t.get("steps", [])]
    return float(sum(rewards))
