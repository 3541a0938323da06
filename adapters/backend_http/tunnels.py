"""Managed-tunnel tokens from a running ``synth-ai serve`` (``POST /api/v1/tunnels/``)."""

from __future__ import annotations

from synth_ai.adapters.backend_http.client import BackendClient
from synth_ai.adapters.wire import tunnels as wire
from synth_ai.domain.tunnels.model import TunnelRecord


class BackendTunnelIssuer:
    def __init__(self, client: BackendClient):
        self._client = client

    def close(self) -> None:
        self._client.close()

    def issue(self, *, subdomain: str | None, local_host: str, local_port: int) -> TunnelRecord:
        request = wire.CreateTunnel(local_port, subdomain, local_host)
        return wire.record_from(
            self._client.post("/api/v1/tunnels/", json=wire.create_body(request))
        )
