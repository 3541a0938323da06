"""Named errors every layer raises and the edges translate (HTTP status, CLI exit).

Each family carries the HTTP status it maps to and an OpenAI-style ``type``/``code``, so the
one HTTP error handler and the CLI can render any of them without knowing the subclass.
"""

from __future__ import annotations


class SynthError(Exception):
    """Base of every expected, user-facing failure."""

    status = 500
    type = "server_error"
    code: str | None = None

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.param = param
        if code is not None:
            self.code = code
        self.extra = extra

    def body(self) -> dict:
        error = {"message": self.message, "type": self.type, "code": self.code, "param": self.param}
        error.update(self.extra)
        return {"error": error}


class InvalidInput(SynthError):
    status = 400
    type = "invalid_request_error"
    code = "invalid_input"


class ValidationFailed(InvalidInput):
    """A payload that parsed but does not fit the schema (422)."""

    status = 422
    code = "validation_error"


class Unauthorized(SynthError):
    status = 401
    type = "authentication_error"
    code = "invalid_api_key"


class Forbidden(SynthError):
    status = 403
    type = "permission_error"
    code = "forbidden"


class NotFound(SynthError):
    status = 404
    type = "not_found_error"
    code = "not_found"


class Conflict(SynthError):
    status = 409
    type = "invalid_request_error"
    code = "conflict"


class LimitExceeded(SynthError):
    """A request would cross a hard usage limit (429)."""

    status = 429
    type = "usage_limit_reached"
    code = "usage_limit_reached"


class UpstreamError(SynthError):
    """An upstream service (LLM provider, Hub, Cloudflare) failed."""

    status = 502
    type = "upstream_error"
    code = "upstream_error"


class ServiceUnavailable(SynthError):
    """Something the request needs is not configured or not reachable (503)."""

    status = 503
    type = "service_unavailable"
    code = "service_unavailable"


class UpstreamRateLimited(UpstreamError):
    status = 429
    type = "rate_limit_error"
    code = "rate_limit_exceeded"


class ContextLengthExceeded(UpstreamError):
    status = 400
    type = "invalid_request_error"
    code = "context_length_exceeded"


class UpstreamTimeout(UpstreamError):
    status = 504
    code = "upstream_timeout"


class UpstreamUnavailable(UpstreamError):
    """The upstream could not be reached at all (connection refused, DNS, TLS)."""

    status = 502
    code = "upstream_unavailable"
