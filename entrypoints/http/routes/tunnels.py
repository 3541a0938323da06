"""``GET|POST /api/v1/tunnels/``: managed Cloudflare tunnels issued by the backend.

The listing is a JSON list whose entries carry ``org_id`` (the public synth-ai 0.2.24 client
refuses anything else)."""

from __future__ import annotations

from synth_ai.adapters.wire import tunnels as wire
from synth_ai.domain.tunnels.service import ManagedTunnelService
from synth_ai.http.payload import read_object, send_json

TUNNEL_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "subdomain": {"type": "string"},
        "hostname": {"type": "string"},
        "url": {"type": "string"},
        "local_host": {"type": "string"},
        "local_port": {"type": "integer"},
        "tunnel_token": {"type": "string"},
        "status": {"type": "string"},
        "created_at": {"type": "number"},
    },
}


class Tunnels:
    def __init__(self, tunnels: ManagedTunnelService):
        self._tunnels = tunnels

    def on_get(self, req, resp):
        org_id = req.context.principal.org_id
        send_json(resp, wire.records(self._tunnels.list(org_id), org_id))

    def on_post(self, req, resp):
        body = wire.read_create(read_object(req))
        record = self._tunnels.issue(
            req.context.principal.org_id,
            subdomain=body.subdomain,
            local_host=body.local_host,
            local_port=body.local_port,
        )
        send_json(resp, wire.record(record), status=201)


def register(app, spec, *, tunnels: ManagedTunnelService) -> None:
    app.add_route("/api/v1/tunnels", Tunnels(tunnels))
    spec.add(
        "/api/v1/tunnels",
        "GET",
        "Managed tunnels issued to this organisation",
        tag="tunnels",
        response={
            "type": "array",
            "items": {
                **TUNNEL_SCHEMA,
                "properties": {
                    **TUNNEL_SCHEMA["properties"],
                    "org_id": {"type": "string"},
                    "metadata": {"type": "object"},
                },
            },
        },
    )
    spec.add(
        "/api/v1/tunnels",
        "POST",
        "Issue (or reuse) a managed tunnel for a subdomain",
        tag="tunnels",
        status=201,
        response=TUNNEL_SCHEMA,
        request={
            "type": "object",
            "required": ["local_port"],
            "additionalProperties": False,
            "properties": {
                "subdomain": {
                    "type": ["string", "null"],
                    "pattern": r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$",
                    "description": "empty or null: a random one",
                },
                "local_port": {"type": "integer", "minimum": 1, "maximum": 65535},
                "local_host": {
                    "type": "string",
                    "pattern": r"^[^/ ]+$",
                    "default": "127.0.0.1",
                },
            },
        },
    )
