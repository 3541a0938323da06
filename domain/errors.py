"""The families of named errors every layer raises; the edges translate them.

Each family carries an OpenAI-style ``type``/``code`` (what kind of failure, in words a client
can branch on). Which HTTP status a family answers with is the HTTP edge's business
(``synth_ai.http.errors.HTTP_STATUS``); the CLI prints the message and exits 1. A capability's
own errors live beside its model (``domain/<capability>/errors.py``) and subclass one family.
"""

from __future__ import annotations

from typing import Any


class SynthError(Exception):
    """Base of every expected, user-facing failure."""

    type = "server_error"
    code: str | None = None

    def __init__(
        self, message: str, *, param: str | None = None, code: str | None = None, **extra: Any
    ):
        super().__init__(message)
        self.message = message
        self.param = param
        if code is not None:
            self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        error = {"message": self.message, "type": self.type, "code": self.code, "param": self.param}
        error.update(self.extra)
        return {"error": error}


class InvalidInput(SynthError):
    type = "invalid_request_error"
    code = "invalid_input"


class ValidationFailed(InvalidInput):
    """A payload that parsed but does not fit the schema (422)."""

    code = "validation_error"


class Unauthorized(SynthError):
    type = "authentication_error"
    code = "invalid_api_key"


class Forbidden(SynthError):
    type = "permission_error"
    code = "forbidden"


class NotFound(SynthError):
    type = "not_found_error"
    code = "not_found"


class Conflict(SynthError):
    type = "invalid_request_error"
    code = "conflict"


class LimitExceeded(SynthError):
    """A request would cross a hard usage limit (429)."""

    type = "usage_limit_reached"
    code = "usage_limit_reached"


class UpstreamError(SynthError):
    """An upstream service (LLM provider, Hub, Cloudflare) failed."""

    type = "upstream_error"
    code = "upstream_error"


class ServiceUnavailable(SynthError):
    """Something the request needs is not configured or not reachable (503)."""

    type = "service_unavailable"
    code = "service_unavailable"


class UpstreamRateLimited(UpstreamError):
    type = "rate_limit_error"
    code = "rate_limit_exceeded"


class ContextLengthExceeded(UpstreamError):
    type = "invalid_request_error"
    code = "context_length_exceeded"


class UpstreamRejectedRequest(UpstreamError):
    """The upstream refused the request as malformed (a 4xx other than auth and rate limits)."""

    type = "invalid_request_error"
    code = "upstream_rejected_request"


class UpstreamTimeout(UpstreamError):
    code = "upstream_timeout"


class UpstreamUnavailable(UpstreamError):
    """The upstream could not be reached at all (connection refused, DNS, TLS)."""

    code = "upstream_unavailable"
