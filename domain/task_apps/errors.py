"""Named errors of task apps and tunnels, in the families of ``synth_ai.domain.errors``."""

from __future__ import annotations

from synth_ai.domain.errors import (
    InvalidInput,
    ServiceUnavailable,
    UpstreamError,
    UpstreamRateLimited,
)


class InvalidTaskApp(InvalidInput):
    """A task-app definition that cannot be served (bad id, empty dataset, unloadable file)."""

    code = "invalid_task_app"


class InvalidTunnel(InvalidInput):
    """A tunnel request that breaks a rule (bad subdomain, bad port, unknown mode)."""

    code = "invalid_tunnel"


class CloudflaredNotFound(ServiceUnavailable):
    code = "cloudflared_not_found"


class TunnelFailed(UpstreamError):
    """cloudflared exited, printed no URL in time, or the app was not reachable through it."""

    code = "tunnel_failed"


class TunnelRateLimited(UpstreamRateLimited):
    """Cloudflare refused a quick tunnel (429 / error 1015)."""

    code = "tunnel_rate_limited"


class TaskAppNotHealthy(ServiceUnavailable):
    code = "task_app_not_healthy"
