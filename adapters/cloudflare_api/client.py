"""Cloudflare's v4 API for remotely-managed tunnels (httpx).

Endpoints (``base_url`` defaults to ``https://api.cloudflare.com/client/v4``; tests point it
at a stand-in):

- ``POST /accounts/{account}/cfd_tunnel`` ``{"name", "config_src": "cloudflare"}`` → tunnel id
- ``PUT /accounts/{account}/cfd_tunnel/{id}/configurations`` → ingress ``hostname → service``
- ``POST /zones/{zone}/dns_records`` → proxied CNAME ``hostname → {id}.cfargotunnel.com``
- ``GET /accounts/{account}/cfd_tunnel/{id}/token`` → the connector token
- ``DELETE /accounts/{account}/cfd_tunnel/{id}``

Every answer is the ``{"success", "errors", "result"}`` envelope; failures become
``UpstreamError`` with Cloudflare's own messages.
"""

from __future__ import annotations

import logging

import httpx
from synth_ai.domain.errors import ServiceUnavailable, Unauthorized, UpstreamError

log = logging.getLogger("synth_ai.cloudflare_api")
DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"


class HttpCloudflareApi:
    def __init__(
        self,
        *,
        account_id: str,
        api_token: str,
        zone_id: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.account_id = account_id
        self.zone_id = zone_id
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {api_token}"},
        )

    def _call(self, method: str, path: str, json: dict | None = None):
        try:
            response = self._http.request(method, path, json=json)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"Cloudflare API not reachable at {self.base_url} ({exc}) — "
                "check [tunnels] cloudflare_api_url and the network"
            ) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 400 or not body.get("success", False):
            errors = "; ".join(
                f"{e.get('code')}: {e.get('message')}" for e in body.get("errors") or []
            )
            message = f"Cloudflare API {method} {path} failed with HTTP {response.status_code}: {errors or response.text[:200]}"
            if response.status_code in (401, 403):
                raise Unauthorized(
                    message + " — check [tunnels] cloudflare_api_token (needs "
                    "Cloudflare Tunnel:Edit and DNS:Edit)",
                    code="cloudflare_auth",
                )
            raise UpstreamError(message)
        return body.get("result")

    def create_tunnel(self, name: str) -> str:
        result = self._call(
            "POST",
            f"/accounts/{self.account_id}/cfd_tunnel",
            {"name": name, "config_src": "cloudflare"},
        )
        log.info("created Cloudflare tunnel %s (%s)", name, result["id"])
        return result["id"]

    def configure_ingress(self, tunnel_id: str, hostname: str, service: str) -> None:
        self._call(
            "PUT",
            f"/accounts/{self.account_id}/cfd_tunnel/{tunnel_id}/configurations",
            {
                "config": {
                    "ingress": [
                        {"hostname": hostname, "service": service},
                        {"service": "http_status:404"},
                    ]
                }
            },
        )

    def route_dns(self, tunnel_id: str, hostname: str) -> None:
        self._call(
            "POST",
            f"/zones/{self.zone_id}/dns_records",
            {
                "type": "CNAME",
                "name": hostname,
                "content": f"{tunnel_id}.cfargotunnel.com",
                "proxied": True,
            },
        )

    def tunnel_token(self, tunnel_id: str) -> str:
        return self._call("GET", f"/accounts/{self.account_id}/cfd_tunnel/{tunnel_id}/token")

    def delete_tunnel(self, tunnel_id: str) -> None:
        self._call("DELETE", f"/accounts/{self.account_id}/cfd_tunnel/{tunnel_id}")

    def close(self) -> None:
        self._http.close()


class UnconfiguredCloudflareApi:
    """Stands in when no Cloudflare account is configured: every call says what to set."""

    def _fail(self, *args, **kwargs):
        raise ServiceUnavailable(
            "managed tunnels are not configured on this backend — set [tunnels] cloudflare_account_id, "
            "cloudflare_api_token, cloudflare_zone_id and domain in config.toml (or SYNTH_AI_CLOUDFLARE_* "
            "variables) and restart 'synth-ai serve'",
            code="tunnels_not_configured",
        )

    create_tunnel = configure_ingress = route_dns = tunnel_token = delete_tunnel = _fail
