"""Authentication as Falcon middleware: every resource needs a key unless it says otherwise.

A resource opts out with a class attribute ``auth_required = False`` (``/health``,
``/openapi.json``). The principal lands in ``req.context.principal``.
"""

from __future__ import annotations

from synth_ai.auth import ApiKeyAuthenticator, key_from_headers


class AuthMiddleware:
    def __init__(self, authenticator: ApiKeyAuthenticator):
        self._auth = authenticator

    def process_resource(self, req, resp, resource, params) -> None:
        if resource is None or not getattr(resource, "auth_required", True):
            return
        if req.method == "OPTIONS":
            return
        key = key_from_headers(req.get_header("Authorization"), req.get_header("X-API-Key"))
        req.context.principal = self._auth.authenticate(key)
