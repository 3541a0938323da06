"""A stand-in for the sessions API (issue 4) in front of the real app, for launcher tests.

It answers ``POST /api/v1/sessions`` and ``POST /api/v1/sessions/{id}/end`` and records them;
every other request goes to the real backend app.
"""

from __future__ import annotations

import itertools
import json


class SessionsDouble:
    def __init__(self, app):
        self.app = app
        self.created: list[dict] = []
        self.ended: list[str] = []
        self._ids = itertools.count(1)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ["REQUEST_METHOD"] == "POST" and path.startswith("/api/v1/sessions"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            if path == "/api/v1/sessions":
                session_id = f"sess_double_{next(self._ids)}"
                self.created.append({"id": session_id, **body})
                return self._json(start_response, {"session_id": session_id, "status": "active"})
            if path.endswith("/end"):
                self.ended.append(path.split("/")[-2])
                return self._json(start_response, {"status": "ended"})
        return self.app(environ, start_response)

    @staticmethod
    def _json(start_response, data: dict):
        payload = json.dumps(data).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]
