"""``[tunnels]`` settings: the cloudflared binary, edge overrides, and the Cloudflare account.

Environment variables override the file: ``SYNTH_AI_CLOUDFLARED``, ``SYNTH_AI_TUNNEL_RESOLVE``
(``PATTERN=URL,…``), ``SYNTH_AI_CLOUDFLARE_ACCOUNT_ID``, ``SYNTH_AI_CLOUDFLARE_API_TOKEN``,
``SYNTH_AI_CLOUDFLARE_ZONE_ID``, ``SYNTH_AI_TUNNEL_DOMAIN``, ``SYNTH_AI_CLOUDFLARE_API_URL``.
"""

from __future__ import annotations

import os

from attrs import frozen
from synth_ai.domain.tunnels.model import EdgeOverrides
from synth_ai.settings.config import Settings
from synth_ai.settings.validation import NumberSource

DEFAULT_CLOUDFLARE_API_URL = "https://api.cloudflare.com/client/v4"


@frozen
class TunnelSettings:
    cloudflared_path: str | None = None
    resolve: EdgeOverrides = EdgeOverrides()
    url_timeout: float = 20.0
    health_timeout: float = 20.0
    cloudflare_account_id: str | None = None
    cloudflare_api_token: str | None = None
    cloudflare_zone_id: str | None = None
    domain: str | None = None
    cloudflare_api_url: str = DEFAULT_CLOUDFLARE_API_URL

    @property
    def cloudflare_configured(self) -> bool:
        return bool(
            self.cloudflare_account_id and self.cloudflare_api_token and self.cloudflare_zone_id
        )

    @classmethod
    def from_settings(cls, settings: Settings, environ: dict | None = None) -> TunnelSettings:
        env = os.environ if environ is None else environ
        table = settings.section("tunnels")

        def pick(name: str, var: str):
            return env.get(var) or table.get(name) or None

        numbers = NumberSource(env, table, "tunnels", settings.config_path)
        url_timeout = numbers.read("url_timeout", 20.0, low=0, low_open=True)
        health_timeout = numbers.read("health_timeout", 20.0, low=0, low_open=True)
        return cls(
            cloudflared_path=pick("cloudflared_path", "SYNTH_AI_CLOUDFLARED"),
            resolve=EdgeOverrides.parse(env.get("SYNTH_AI_TUNNEL_RESOLVE") or table.get("resolve")),
            url_timeout=url_timeout,
            health_timeout=health_timeout,
            cloudflare_account_id=pick("cloudflare_account_id", "SYNTH_AI_CLOUDFLARE_ACCOUNT_ID"),
            cloudflare_api_token=pick("cloudflare_api_token", "SYNTH_AI_CLOUDFLARE_API_TOKEN"),
            cloudflare_zone_id=pick("cloudflare_zone_id", "SYNTH_AI_CLOUDFLARE_ZONE_ID"),
            domain=pick("domain", "SYNTH_AI_TUNNEL_DOMAIN"),
            cloudflare_api_url=pick("cloudflare_api_url", "SYNTH_AI_CLOUDFLARE_API_URL")
            or DEFAULT_CLOUDFLARE_API_URL,
        )
