"""A stand-in for Cloudflare's v4 API (tunnels, their configuration, DNS) on 127.0.0.1.

Implements what ``HttpCloudflareApi`` calls, with Cloudflare's ``{"success", "errors",
"result"}`` envelope and its 401 for a wrong token. Connector tokens are base64 JSON
``{"a": account, "t": tunnel id, "s": secret}`` like Cloudflare's; the stand-in cloudflared
reads its ingress from ``GET …/configurations`` with that token.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import uuid

from synth_ai.adapters.waitress_host import BackgroundServer


class FakeCloudflareApi:
    def __init__(
        self, account_id: str = "acc123", zone_id: str = "zone123", api_token: str = "cf-token"
    ):
        self.account_id = account_id
        self.zone_id = zone_id
        self.api_token = api_token
        self.tunnels: dict[str, dict] = {}
        self.dns: list[dict] = []
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self.server: BackgroundServer | None = None

    @classmethod
    def start(cls, **kwargs) -> FakeCloudflareApi:
        api = cls(**kwargs)
        api.server = BackgroundServer.start(api, "127.0.0.1", 0, threads=8, name="fake-cloudflare")
        return api

    @property
    def url(self) -> str:
        return f"{self.server.url}/client/v4"

    def close(self) -> None:
        if self.server:
            self.server.close()

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "").removeprefix("/client/v4")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
        token = (environ.get("HTTP_AUTHORIZATION") or "").removeprefix("Bearer ")
        with self._lock:
            self.calls.append((method, path))
            status, result = self._route(method, path, body, token)
        payload = {
            "success": status < 400,
            "errors": [] if status < 400 else [result],
            "messages": [],
            "result": result if status < 400 else None,
        }
        data = json.dumps(payload).encode()
        start_response(
            f"{status} X",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def _route(self, method: str, path: str, body: dict, token: str):
        acct = f"/accounts/{self.account_id}/cfd_tunnel"
        m = re.fullmatch(re.escape(acct) + r"/([^/]+)/configurations", path)
        if m and method == "GET":  # called by the connector with its tunnel token
            tunnel = self.tunnels.get(m.group(1))
            if tunnel is None or token not in (tunnel["token"], self.api_token):
                return 401, {"code": 10000, "message": "Authentication error"}
            return 200, {"tunnel_id": tunnel["id"], "config": tunnel["config"], "version": 1}
        if token != self.api_token:
            return 401, {"code": 10000, "message": "Authentication error"}
        if path == acct and method == "POST":
            tunnel_id = str(uuid.uuid4())
            claims = {"a": self.account_id, "t": tunnel_id, "s": secrets.token_hex(16)}
            self.tunnels[tunnel_id] = {
                "id": tunnel_id,
                "name": body.get("name"),
                "config": {"ingress": []},
                "token": base64.b64encode(json.dumps(claims).encode()).decode(),
            }
            return 200, {"id": tunnel_id, "name": body.get("name"), "status": "inactive"}
        if m and method == "PUT":
            if m.group(1) not in self.tunnels:
                return 404, {"code": 1003, "message": "Tunnel not found"}
            self.tunnels[m.group(1)]["config"] = body["config"]
            return 200, {"tunnel_id": m.group(1), "config": body["config"], "version": 2}
        m = re.fullmatch(re.escape(acct) + r"/([^/]+)/token", path)
        if m and method == "GET":
            tunnel = self.tunnels.get(m.group(1))
            return (
                (200, tunnel["token"])
                if tunnel
                else (404, {"code": 1003, "message": "Tunnel not found"})
            )
        m = re.fullmatch(re.escape(acct) + r"/([^/]+)", path)
        if m and method == "DELETE":
            return (
                (200, self.tunnels.pop(m.group(1)))
                if m.group(1) in self.tunnels
                else (404, {"code": 1003, "message": "Tunnel not found"})
            )
        if path == f"/zones/{self.zone_id}/dns_records" and method == "POST":
            record = {"id": uuid.uuid4().hex, **body}
            self.dns.append(record)
            return 200, record
        return 404, {"code": 7003, "message": f"Could not route to {path}"}
