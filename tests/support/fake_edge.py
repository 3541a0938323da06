"""A stand-in for Cloudflare's edge on 127.0.0.1: routes requests by ``Host`` to cloudflared.

The stand-in cloudflared registers ``hostname → its local proxy`` here (``POST /_edge/register``)
and unregisters on shutdown. A request for an unknown hostname gets 530 (Cloudflare's error
1033, "tunnel not connected"); a registered tunnel whose process is gone gets 502.
Point the adapter at it with ``SYNTH_AI_TUNNEL_RESOLVE="*.trycloudflare.com=<edge url>"``.
"""

from __future__ import annotations

import http.client
import json
import threading
from urllib.parse import urlsplit

from synth_ai.adapters.waitress_host import BackgroundServer


class FakeEdge:
    def __init__(self):
        self.routes: dict[str, str] = {}
        self._lock = threading.Lock()
        self.server: BackgroundServer | None = None

    @classmethod
    def start(cls) -> FakeEdge:
        edge = cls()
        edge.server = BackgroundServer.start(edge, "127.0.0.1", 0, threads=16, name="fake-edge")
        return edge

    @property
    def url(self) -> str:
        return self.server.url

    def close(self) -> None:
        if self.server:
            self.server.close()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        if path in ("/_edge/register", "/_edge/unregister") and environ["REQUEST_METHOD"] == "POST":
            data = json.loads(body)
            with self._lock:
                if path.endswith("/register"):
                    self.routes[data["hostname"].lower()] = data["target"]
                else:
                    self.routes.pop(data["hostname"].lower(), None)
            return self._reply(start_response, 200, b"{}")
        host = (environ.get("HTTP_HOST") or "").split(":")[0].lower()
        with self._lock:
            target = self.routes.get(host)
        if target is None:
            return self._reply(start_response, 530, b"error code: 1033")
        parts = urlsplit(target)
        query = environ.get("QUERY_STRING")
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and key not in ("HTTP_CONNECTION",)
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            conn.request(
                environ["REQUEST_METHOD"],
                path + (f"?{query}" if query else ""),
                body=body or None,
                headers=headers,
            )
            upstream = conn.getresponse()
            data = upstream.read()
            conn.close()
        except OSError:
            return self._reply(start_response, 502, b"error code: 502 (cloudflared is gone)")
        passed = [
            (k, v)
            for k, v in upstream.getheaders()
            if k.lower()
            not in ("content-length", "connection", "transfer-encoding", "server", "date")
        ]
        start_response(
            f"{upstream.status} {upstream.reason}", passed + [("Content-Length", str(len(data)))]
        )
        return [data]

    @staticmethod
    def _reply(start_response, status: int, data: bytes):
        start_response(
            f"{status} Edge", [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))]
        )
        return [data]
