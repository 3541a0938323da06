"""An optimisation job's view of the backend over HTTP: trials, its session, metered chat.

Every model call a job makes goes through the backend in the job's own session: the policy's
through the interceptor (``Trials``), the reflection / proposer calls through the chat route
(``HttpMeteredChat`` with ``X-Session-ID``). A refusal by the session's hard limit arrives as
``LimitExceeded`` (HTTP 429).
"""

from __future__ import annotations

from synth_ai.adapters.backend_http.client import BackendClient
from synth_ai.adapters.wire.optimisation import trial_record
from synth_ai.domain.errors import Conflict
from synth_ai.ports.optimisation import Spend, TrialRecord

CHAT_PATH = "/api/synth-research/chat/completions"


class HttpTrials:
    def __init__(self, client: BackendClient, public_url: str | None = None):
        self._client = client
        self._public = (public_url or client.base_url).rstrip("/")

    def open(self, *, prefix: list[dict], session_id: str, model: str | None = None) -> str:
        body = {"session_id": session_id, "prefix": prefix, "model": model}
        return self._client.post("/api/interceptor/trials", json=body)["trial_id"]

    def inference_url(self, trial_id: str, rollout: str) -> str:
        return f"{self._public}/api/interceptor/{trial_id}.{rollout}/v1"

    def finish(self, trial_id: str) -> TrialRecord:
        return trial_record(self._client.request("DELETE", f"/api/interceptor/trials/{trial_id}"))


class HttpJobSessions:
    def __init__(self, client: BackendClient):
        self._client = client

    def open(self, *, session_id: str, max_spend_usd: float, max_tokens: int | None) -> str:
        limits = [{"metric_type": "cost_usd", "limit_value": max_spend_usd, "limit_type": "hard"}]
        if max_tokens:
            limits.append(
                {"metric_type": "tokens", "limit_value": max_tokens, "limit_type": "hard"}
            )
        body = {
            "session_id": session_id,
            "make_active": False,
            "session_type": "optimisation",
            "limits": limits,
            "metadata": {"purpose": "prompt optimisation job"},
        }
        try:
            self._client.post("/api/v1/sessions", json=body)
        except Conflict:  # a re-run of the job: its session exists, keep spending in it
            self._client.get(f"/api/v1/sessions/{session_id}")
        return session_id

    def spend(self, session_id: str) -> Spend:
        usage = self._client.get(f"/api/v1/sessions/{session_id}").get("current_usage") or {}
        return Spend(
            float(usage.get("cost_usd") or 0.0),
            int(usage.get("tokens") or 0),
            int(usage.get("api_calls") or 0),
        )


class HttpMeteredChat:
    def __init__(self, client: BackendClient):
        self._client = client

    def check(self) -> None:
        """The backend answers 503 ``upstream_not_configured`` when it has no chat upstream."""
        self._client.get("/api/synth-research/v1/models")

    def complete(
        self,
        *,
        session_id: str,
        model: str,
        messages: list[dict],
        temperature: float,
        max_tokens: int,
    ) -> str:
        body = {
            "model": model,
            "messages": messages,
            "temperature": temperature,
            "max_completion_tokens": max_tokens,
        }
        answer = self._client.post(CHAT_PATH, json=body, headers={"X-Session-ID": session_id})
        choices = (answer or {}).get("choices") or [{}]
        return (choices[0].get("message") or {}).get("content") or ""
