"""The backend's managed tunnels as ``scan`` sees them (``GET /api/v1/tunnels/``)."""

from __future__ import annotations

from synth_ai.adapters.backend_http.client import BackendClient
from synth_ai.adapters.wire import tunnels as wire
from synth_ai.domain.tunnels.model import TunnelRecord


class BackendTunnelDirectory:
    def __init__(self, client: BackendClient):
        self._client = client

    def close(self) -> None:
        self._client.close()

    def list_tunnels(self, timeout: float | None = None) -> list[TunnelRecord]:
        body = self._client.get("/api/v1/tunnels/")
        return [_record(item) for item in wire.listed(body) if item.get("hostname")]


def _record(item: dict) -> TunnelRecord:
    return TunnelRecord(
        id=str(item.get("id", "")),
        subdomain=str(item.get("subdomain", "")),
        hostname=str(item["hostname"]),
        local_host=str(item.get("local_host") or "127.0.0.1"),
        local_port=int(item.get("local_port") or 0),
        tunnel_token="",  # scan has no use for the token; it is not kept
        status=str(item.get("status", "")),
        created_at=float(item.get("created_at") or 0.0),
    )


class LazyBackendTunnelDirectory:
    """Builds its HTTP client on first use (scan runs sources on threads; httpx loads there)."""

    def __init__(self, base_url: str, api_key: str | None):
        self._base_url = base_url
        self._api_key = api_key

    def list_tunnels(self, timeout: float) -> list[TunnelRecord]:
        client = BackendClient(self._base_url, self._api_key, timeout=timeout)
        try:
            return BackendTunnelDirectory(client).list_tunnels()
        finally:
            client.close()
