"""Tunnels to a local port, and the Cloudflare account that issues managed ones.

``TunnelProvider.open`` returns once the tunnel carries traffic (the app's ``/health``
answered through it) and raises ``TunnelFailed`` / ``TunnelRateLimited`` /
``CloudflaredNotFound`` otherwise. ``close()`` stops whatever the tunnel started.
"""

from __future__ import annotations

from typing import Protocol

from synth_ai.domain.tunnels.model import TunnelRecord


class Tunnel(Protocol):
    url: str
    mode: str
    pid: int | None
    hostname: str

    def close(self) -> None: ...


class TunnelProvider(Protocol):
    def open(
        self, local_host: str, local_port: int, *, mode: str = "quick", subdomain: str | None = None
    ) -> Tunnel: ...

    def close(self) -> None:
        """Release what the provider holds (an HTTP client to the backend); open tunnels
        are closed by their own ``close``."""
        ...


class ManagedTunnelIssuer(Protocol):
    """Who hands a client the token of a managed tunnel (the backend, as seen from the CLI)."""

    def issue(self, *, subdomain: str | None, local_host: str, local_port: int) -> TunnelRecord:
        """The record (hostname, token …) of a new or reused managed tunnel."""
        ...


class CloudflareApi(Protocol):
    def create_tunnel(self, name: str) -> str:
        """A new remotely-configured tunnel; returns its Cloudflare id."""
        ...

    def configure_ingress(self, tunnel_id: str, hostname: str, service: str) -> None: ...

    def route_dns(self, tunnel_id: str, hostname: str) -> None:
        """A proxied CNAME ``hostname`` → ``<tunnel_id>.cfargotunnel.com``."""
        ...

    def tunnel_token(self, tunnel_id: str) -> str: ...

    def delete_tunnel(self, tunnel_id: str) -> None: ...


class TunnelRecords(Protocol):
    """Managed tunnels the backend issued, per org."""

    def add(self, org_id: str, record: TunnelRecord) -> None: ...

    def list(self, org_id: str) -> list[TunnelRecord]: ...

    def find_subdomain(self, subdomain: str) -> tuple[str, TunnelRecord] | None: ...
