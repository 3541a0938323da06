"""API-key authentication shared by the backend routes (constant-time comparison)."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import Unauthorized
from synth_ai.settings.config import ApiKey


def fingerprint(key: str) -> str:
    """A stable, non-secret id of a key, as a UUID (the public client parses ``api_key_id``)."""
    return str(uuid.UUID(bytes=hashlib.sha256(key.encode()).digest()[:16]))


class ApiKeyAuthenticator:
    def __init__(self, keys: list[ApiKey]):
        self._keys = [(k.key.encode(), k) for k in keys]

    def authenticate(self, presented: str | None) -> Principal:
        if not presented:
            raise Unauthorized(
                "missing API key — send 'Authorization: Bearer <key>' or 'X-API-Key: <key>' "
                "(the key is in $SYNTH_AI_HOME/config.toml, printed by 'synth-ai serve')",
                code="missing_api_key",
            )
        candidate = presented.encode()
        match = None
        for raw, key in self._keys:  # compare against every key: no early exit timing leak
            if hmac.compare_digest(raw, candidate):
                match = key
        if match is None:
            raise Unauthorized("invalid API key", code="invalid_api_key")
        return Principal(org_id=match.org_id, user_id=match.user_id, key_id=fingerprint(match.key))


def key_from_headers(authorization: str | None, x_api_key: str | None) -> str | None:
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    if x_api_key:
        return x_api_key.strip()
    return None
