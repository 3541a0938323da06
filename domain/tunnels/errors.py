"""Named errors of tunnels, each in one family of ``synth_ai.domain.errors``."""

from __future__ import annotations

from synth_ai.domain.errors import (
    Conflict,
    InvalidInput,
    ServiceUnavailable,
    UpstreamError,
    UpstreamRateLimited,
)


class InvalidTunnel(InvalidInput):
    """A tunnel request that breaks a rule (bad subdomain, bad port, unknown mode)."""

    code = "invalid_tunnel"


class SubdomainTaken(Conflict):
    """Another organisation holds this managed-tunnel subdomain."""


class TunnelsNotConfigured(ServiceUnavailable):
    code = "tunnels_not_configured"


class CloudflaredNotFound(ServiceUnavailable):
    code = "cloudflared_not_found"


class TunnelFailed(UpstreamError):
    """cloudflared exited, printed no URL in time, or the app was not reachable through it."""

    code = "tunnel_failed"


class TunnelRateLimited(UpstreamRateLimited):
    """Cloudflare refused a quick tunnel (429 / error 1015)."""

    code = "tunnel_rate_limited"
