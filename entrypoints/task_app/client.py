"""``TaskAppClient``: call a task app by its URL, local or tunnelled.

Tunnel hostnames honour the ``[tunnels] resolve`` edge overrides (``SYNTH_AI_TUNNEL_RESOLVE``),
so a client reaches ``https://x.trycloudflare.com`` through a private or test edge exactly as
the cloudflared adapter's health check does.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
from synth_ai.domain.errors import UpstreamError
from synth_ai.domain.tunnels.model import EdgeOverrides


def default_overrides() -> EdgeOverrides:
    from synth_ai.settings.config import load_settings
    from synth_ai.settings.tunnels import TunnelSettings

    return TunnelSettings.from_settings(load_settings()).resolve


class TaskAppClient:
    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        overrides: EdgeOverrides | None = None,
        timeout: float = 60.0,
    ):
        self.url = url.rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get("ENVIRONMENT_API_KEY")
        self._overrides = overrides if overrides is not None else default_overrides()
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
            raise UpstreamError(
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

    def __enter__(self) -> TaskAppClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
