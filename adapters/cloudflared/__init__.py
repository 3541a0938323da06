"""Tunnels through the real ``cloudflared`` binary.

Quick tunnels run ``cloudflared tunnel --no-autoupdate --url http://HOST:PORT`` and read the
``https://…trycloudflare.com`` URL from its log; managed tunnels get a token from the backend
and run ``cloudflared tunnel --no-autoupdate run`` with the token in ``TUNNEL_TOKEN`` (cloudflared
reads it like ``--token``; argv would show it in ``ps``). Either way the app's ``/health``
must answer through the tunnel before ``open`` returns, and ``close`` stops the process group.
"""

from __future__ import annotations

from synth_ai.adapters.cloudflared.binary import INSTALL_HINT, find_cloudflared
from synth_ai.adapters.cloudflared.process import CloudflaredTunnel, CloudflaredTunnels

__all__ = ["INSTALL_HINT", "CloudflaredTunnel", "CloudflaredTunnels", "find_cloudflared"]
