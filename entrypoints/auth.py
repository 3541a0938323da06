"""API-key authentication shared by the backend routes (constant-time comparison), and the
short-lived UI tokens a key mints for the dashboard.

A UI token is ``sui1.<payload>.<signature>``: the payload names the minting key by its
fingerprint and carries an expiry; the signature is HMAC-SHA256 keyed by a digest of that key.
So any replica that accepts the key accepts its tokens without shared state, and removing the
key from the config revokes them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable

from attrs import frozen
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import Unauthorized
from synth_ai.domain.timestamps import iso
from synth_ai.settings.config import ApiKey

TOKEN_PREFIX = "sui1."
_TOKEN_CONTEXT = b"synth-ai ui token\x00"


def fingerprint(key: str) -> str:
    """A stable, non-secret id of a key, as a UUID (the public client parses ``api_key_id``)."""
    return str(uuid.UUID(bytes=hashlib.sha256(key.encode()).digest()[:16]))


@frozen
class UiToken:
    token: str
    expires_at: float


class ApiKeyAuthenticator:
    def __init__(self, keys: list[ApiKey], clock: Callable[[], float] = time.time):
        self._keys = [(k.key.encode(), k) for k in keys]
        self._by_fingerprint = {fingerprint(k.key): k for k in keys}
        self._clock = clock

    def authenticate(self, presented: str | None) -> Principal:
        if not presented:
            raise Unauthorized(
                "missing API key — send 'Authorization: Bearer <key>' or 'X-API-Key: <key>' "
                "(the key is in $SYNTH_AI_HOME/config.toml, printed by 'synth-ai serve')",
                code="missing_api_key",
            )
        if presented.startswith(TOKEN_PREFIX):
            return self._from_token(presented)
        candidate = presented.encode()
        match = None
        for raw, key in self._keys:  # compare against every key: no early exit timing leak
            if hmac.compare_digest(raw, candidate):
                match = key
        if match is None:
            raise Unauthorized("invalid API key", code="invalid_api_key")
        return _principal(match)

    def mint_token(self, principal: Principal, ttl_s: float) -> UiToken:
        """A token acting as ``principal`` for ``ttl_s`` seconds, never past the principal's own
        expiry (a token may mint tokens, none that outlive it)."""
        key = self._by_fingerprint.get(principal.key_id)
        if key is None:
            raise Unauthorized("invalid API key", code="invalid_api_key")
        expires_at = self._clock() + ttl_s
        if principal.expires_at is not None:
            expires_at = min(expires_at, principal.expires_at)
        payload = _b64(json.dumps({"k": principal.key_id, "exp": expires_at}).encode())
        return UiToken(f"{TOKEN_PREFIX}{payload}.{_b64(_sign(key, payload))}", expires_at)

    def _from_token(self, token: str) -> Principal:
        again = "run 'synth-ai ui' for a new one, or send an API key"
        try:
            payload, signature = token[len(TOKEN_PREFIX) :].split(".")
            claims = json.loads(_unb64(payload))
            key = self._by_fingerprint.get(claims["k"])
            expires_at = float(claims["exp"])
            valid = key is not None and hmac.compare_digest(_unb64(signature), _sign(key, payload))
        except (ValueError, KeyError, TypeError):
            valid, key, expires_at = False, None, 0.0
        if not valid or key is None:
            raise Unauthorized(f"invalid UI token — {again}", code="invalid_api_key")
        if expires_at <= self._clock():
            raise Unauthorized(
                f"UI token expired at {iso(expires_at)} — {again}", code="invalid_api_key"
            )
        return _principal(key, expires_at=expires_at)


def token_key_id(presented: str) -> str | None:
    """The fingerprint of the key a UI token names (unverified: for counting, not trust)."""
    if not presented.startswith(TOKEN_PREFIX):
        return None
    try:
        key_id = json.loads(_unb64(presented[len(TOKEN_PREFIX) :].split(".")[0]))["k"]
    except (ValueError, KeyError, TypeError):
        return None
    return key_id if isinstance(key_id, str) else None


def _principal(key: ApiKey, *, expires_at: float | None = None) -> Principal:
    return Principal(
        org_id=key.org_id, user_id=key.user_id, key_id=fingerprint(key.key), expires_at=expires_at
    )


def _sign(key: ApiKey, payload: str) -> bytes:
    secret = hashlib.sha256(_TOKEN_CONTEXT + key.key.encode()).digest()
    return hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_from_headers(authorization: str | None, x_api_key: str | None) -> str | None:
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    if x_api_key:
        return x_api_key.strip()
    return None
