"""``/api/v1/ui/tokens``: a short-lived token for the dashboard, minted with an API key.

The token acts as the key's principal until it expires (``synth_ai.auth``); ``synth-ai ui``
prints the page's URL with it in the fragment.
"""

from __future__ import annotations

import math

from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.timestamps import iso
from synth_ai.http.payload import read_object, send_json

PATH = "/api/v1/ui/tokens"


def request_schema(ttl_s: float) -> dict:
    return {
        "type": "object",
        "properties": {"ttl_s": {"type": "number", "exclusiveMinimum": 0, "maximum": ttl_s}},
        "additionalProperties": False,
    }


RESPONSE = {
    "type": "object",
    "required": ["token", "expires_at", "expires_in_s", "url_path", "org_id", "user_id"],
    "properties": {
        "token": {"type": "string"},
        "expires_at": {"type": "string", "format": "date-time"},
        "expires_in_s": {"type": "number"},
        "url_path": {"type": "string"},
        "org_id": {"type": "string"},
        "user_id": {"type": "string"},
    },
}


class UiTokens:
    def __init__(self, authenticator, ttl_s: float, clock):
        self._auth, self._ttl_s, self._clock = authenticator, ttl_s, clock

    def on_post(self, req, resp):
        ttl_s = self._requested_ttl(read_object(req, required=False))
        principal = req.context.principal
        minted = self._auth.mint_token(principal, ttl_s)
        send_json(
            resp,
            {
                "token": minted.token,
                "expires_at": iso(minted.expires_at),
                "expires_in_s": round(max(0.0, minted.expires_at - self._clock.now()), 1),
                "url_path": f"/ui/#token={minted.token}",
                "org_id": principal.org_id,
                "user_id": principal.user_id,
            },
            status=201,
        )

    def _requested_ttl(self, body: dict) -> float:
        unknown = sorted(set(body) - {"ttl_s"})
        if unknown:
            raise InvalidInput(
                f"unknown field {unknown[0]!r} — the body may only give ttl_s", param=unknown[0]
            )
        raw = body.get("ttl_s")
        if raw is None:
            return self._ttl_s
        if (
            isinstance(raw, bool)
            or not isinstance(raw, int | float)
            or not math.isfinite(raw)
            or not 0 < raw <= self._ttl_s
        ):
            raise InvalidInput(
                f"ttl_s must be seconds in (0, {self._ttl_s:g}] ([ui] token_ttl_s), got {raw!r}",
                param="ttl_s",
            )
        return float(raw)


def register(app, spec, *, authenticator, ttl_s: float, clock) -> None:
    app.add_route(PATH, UiTokens(authenticator, ttl_s, clock))
    spec.add(
        PATH,
        "POST",
        "A short-lived token for the dashboard, acting as your key until it expires",
        tag="ui",
        request=request_schema(ttl_s),
        response=RESPONSE,
        status=201,
    )
