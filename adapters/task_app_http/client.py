"""``HttpTaskAppClient``: call a task app by its URL, local or tunnelled, over httpx.

Tunnel hostnames go through the ``EdgeOverrides`` the caller gives (a private or test edge),
exactly as the cloudflared adapter's health check does. Nothing here reads configuration or
the environment: ``synth_ai.task_app.TaskAppClient`` fills the defaults for SDK users.
"""

from __future__ import annotations

from typing import Any

import httpx
from synth_ai.domain.task_apps.errors import TaskAppCallFailed
from synth_ai.domain.tunnels.model import EdgeOverrides


class HttpTaskAppClient:
    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        overrides: EdgeOverrides | None = None,
        timeout: float = 60.0,
    ):
        self.url = url.rstrip("/")
        self.api_key = api_key
        self._overrides = overrides if overrides is not None else EdgeOverrides()
        self._http = httpx.Client(timeout=timeout)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        target, headers = self._overrides.route(self.url + path)
        headers.update(kwargs.pop("headers", {}) or {})
        if self.api_key:
            headers.setdefault("X-API-Key", self.api_key)
        return self._http.request(method, target, headers=headers, **kwargs)

    def _json(self, method: str, path: str, **kwargs) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise TaskAppCallFailed(
                f"task app {self.url}{path} answered HTTP {response.status_code}: "
                f"{response.text[:300]}"
            )
        return response.json()

    def health(self) -> dict:
        return self._json("GET", "/health")

    def info(self) -> dict:
        return self._json("GET", "/info")

    def task_info(self, *seeds: int) -> Any:
        return self._json("GET", "/task_info", params={"seed": list(seeds)} if seeds else None)

    def rollout(self, request: dict) -> dict:
        return self._json("POST", "/rollout", json=request)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpTaskAppClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
