"""Sessions of a running ``synth-ai serve`` (``/api/v1/sessions…``), in the wire classes of
``synth_ai.adapters.wire.sessions``: the CLI sends and reads the same shapes the routes use."""

from __future__ import annotations

from synth_ai.adapters.backend_http.client import BackendClient
from synth_ai.adapters.wire.sessions import (
    CreateSessionIn,
    IncreaseIn,
    SessionOut,
    from_json,
    strict,
)

BASE = "/api/v1/sessions"


class BackendSessions:
    def __init__(self, client: BackendClient):
        self._client = client

    def start(self, request: CreateSessionIn) -> SessionOut:
        body = {k: v for k, v in strict.unstructure(request).items() if v is not None}
        return from_json(self._client.post(BASE, json=body), SessionOut)

    def show(self, session_id: str = "current") -> SessionOut:
        return from_json(self._client.get(f"{BASE}/{session_id}"), SessionOut)

    def list(self, *, status: str | None = None, limit: int = 50) -> list[SessionOut]:
        data = self._client.get(BASE, params={"status": status, "limit": limit})
        return from_json(data, list[SessionOut])

    def end(self, session_id: str = "current") -> SessionOut:
        return from_json(self._client.post(f"{BASE}/{session_id}/end", json={}), SessionOut)

    def increase(self, session_id: str, metric: str, increase_by: float) -> SessionOut:
        """Raise a hard limit, then read the session back."""
        body = strict.unstructure(IncreaseIn(metric, increase_by))
        self._client.post(f"{BASE}/{session_id}/limits/increase", json=body)
        return self.show(session_id)
