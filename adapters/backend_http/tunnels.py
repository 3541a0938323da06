"""Managed-tunnel tokens from a running ``synth-ai serve`` (``POST /api/v1/tunnels/``)."""

from __future__ import annotations

from synth_ai.adapters.backend_http.client import BackendClient


class BackendTunnelIssuer:
    def __init__(self, client: BackendClient):
        self._client = client

    def close(self) -> None:
        self._client.close()

    def issue(self, *, subdomain: str | None, local_host: str, local_port: int) -> dict:
        return self._client.post(
            "/api/v1/tunnels/",
            json={"subdomain": subdomain, "local_host": local_host, "local_port": local_port},
        )
