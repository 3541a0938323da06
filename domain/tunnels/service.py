"""Use cases of managed tunnels: one Cloudflare tunnel per subdomain, reused by its owner."""

from __future__ import annotations

import logging

from synth_ai.domain.tunnels.errors import InvalidTunnel, SubdomainTaken, TunnelsNotConfigured
from synth_ai.domain.tunnels.model import (
    TunnelRecord,
    origin_url,
    validate_port,
    validate_subdomain,
)
from synth_ai.ports.clock import Clock, IdGenerator
from synth_ai.ports.tunnels import CloudflareApi, TunnelRecords

log = logging.getLogger("synth_ai.tunnels")


class ManagedTunnelService:
    def __init__(
        self,
        api: CloudflareApi,
        records: TunnelRecords,
        clock: Clock,
        ids: IdGenerator,
        domain: str | None,
    ):
        self._api = api
        self._records = records
        self._clock = clock
        self._ids = ids
        self._domain = (domain or "").strip(".").lower()

    def list(self, org_id: str) -> list[TunnelRecord]:
        return self._records.list(org_id)

    def issue(
        self, org_id: str, *, subdomain: str | None, local_host: str, local_port: int
    ) -> TunnelRecord:
        if not self._domain:
            raise TunnelsNotConfigured(
                "managed tunnels are not configured on this backend — set [tunnels] domain (a zone on "
                "your Cloudflare account, e.g. 'tunnels.example.com'), cloudflare_account_id, "
                "cloudflare_api_token and cloudflare_zone_id in config.toml and restart 'synth-ai serve'"
            )
        validate_port(local_port)
        if not local_host or any(c in local_host for c in "/ "):
            raise InvalidTunnel(
                f"local_host {local_host!r} is invalid — use a host name or IP", param="local_host"
            )
        name = validate_subdomain(subdomain) if subdomain else self._random_subdomain()
        hostname = f"{name}.{self._domain}"
        service = origin_url(local_host, local_port)
        existing = self._records.find_subdomain(name)
        if existing is not None:
            owner, record = existing
            if owner != org_id:
                raise SubdomainTaken(
                    f"subdomain {name!r} belongs to another organisation — choose another one",
                    param="subdomain",
                )
            self._api.configure_ingress(record.cloudflare_tunnel_id, hostname, service)
            updated = TunnelRecord(
                record.id,
                name,
                hostname,
                local_host,
                local_port,
                record.tunnel_token,
                "active",
                record.created_at,
                record.cloudflare_tunnel_id,
            )
            self._records.add(org_id, updated)
            log.info("reused managed tunnel %s for %s → %s", record.id, hostname, service)
            return updated
        tunnel_id = self._api.create_tunnel(f"synth-ai-{name}")
        self._api.configure_ingress(tunnel_id, hostname, service)
        self._api.route_dns(tunnel_id, hostname)
        token = self._api.tunnel_token(tunnel_id)
        record = TunnelRecord(
            self._ids.new_id("tun"),
            name,
            hostname,
            local_host,
            local_port,
            token,
            "active",
            self._clock.now(),
            tunnel_id,
        )
        self._records.add(org_id, record)
        log.info("issued managed tunnel %s: %s → %s", record.id, hostname, service)
        return record

    def _random_subdomain(self) -> str:
        """``task-<id>``: an id from the generator, spelled as a DNS label."""
        return validate_subdomain(self._ids.new_id("task").replace("_", "-"))
