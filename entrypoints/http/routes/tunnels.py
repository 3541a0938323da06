"""``GET|POST /api/v1/tunnels/``: managed Cloudflare tunnels issued by the backend."""

from __future__ import annotations

from attrs import frozen
from synth_ai.http.payload import read_object, send_json, structure

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


@frozen
class CreateTunnel:
    local_port: int
    subdomain: str | None = None
    local_host: str = "127.0.0.1"


class Tunnels:
    def __init__(self, container):
        self._container = container

    def on_get(self, req, resp):
        tunnels = self._container.managed_tunnels().list(req.context.principal.org_id)
        send_json(resp, {"tunnels": [t.public() for t in tunnels]})

    def on_post(self, req, resp):
        body = structure(read_object(req), CreateTunnel)
        record = self._container.managed_tunnels().issue(
            req.context.principal.org_id,
            subdomain=body.subdomain,
            local_host=body.local_host,
            local_port=body.local_port,
        )
        send_json(resp, record.public(), status=201)


def register(app, container, spec) -> None:
    app.add_route("/api/v1/tunnels", Tunnels(container))
    spec.add(
        "/api/v1/tunnels",
        "GET",
        "Managed tunnels issued to this organisation",
        tag="tunnels",
        response={
            "type": "object",
            "properties": {"tunnels": {"type": "array", "items": TUNNEL_SCHEMA}},
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
            "properties": {
                "subdomain": {"type": "string"},
                "local_port": {"type": "integer"},
                "local_host": {"type": "string", "default": "127.0.0.1"},
            },
        },
    )
