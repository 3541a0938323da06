"""One place that turns errors into HTTP: OpenAI-style error bodies for everything."""

from __future__ import annotations

import json
import logging
import uuid

import falcon
from synth_ai.domain.errors import (
    Conflict,
    ContextLengthExceeded,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    ServiceUnavailable,
    SynthError,
    Unauthorized,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejectedRequest,
    UpstreamTimeout,
    ValidationFailed,
)

log = logging.getLogger("synth_ai.http")

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


# The HTTP status of each error family; the most specific class in an error's MRO wins.
HTTP_STATUS: dict[type[SynthError], int] = {
    SynthError: 500,
    InvalidInput: 400,
    ValidationFailed: 422,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    LimitExceeded: 429,
    UpstreamError: 502,
    UpstreamRateLimited: 429,
    UpstreamRejectedRequest: 400,
    ContextLengthExceeded: 400,
    UpstreamTimeout: 504,
    ServiceUnavailable: 503,
}


def http_status(exc: SynthError) -> int:
    return next(HTTP_STATUS[cls] for cls in type(exc).__mro__ if cls in HTTP_STATUS)


def handle_synth_error(req, resp, exc: SynthError, params) -> None:
    status = http_status(exc)
    resp.status = falcon.code_to_http_status(status)
    resp.content_type = falcon.MEDIA_JSON
    resp.text = json.dumps(exc.body())
    if status == 401:
        resp.set_header("WWW-Authenticate", "Bearer")


def serialize_http_error(req, resp, exc: falcon.HTTPError) -> None:
    status = exc.status_code
    message = exc.description or exc.title or "error"
    if exc.title and exc.description:
        message = f"{exc.title}: {exc.description}"
    body = {
        "error": {
            "message": message,
            "type": _TYPES.get(
                status, "server_error" if status >= 500 else "invalid_request_error"
            ),
            "code": (exc.code if isinstance(exc.code, str) else None) or _slug(exc.title),
            "param": None,
        }
    }
    resp.content_type = falcon.MEDIA_JSON
    resp.text = json.dumps(body)


def handle_unexpected(req, resp, exc: Exception, params) -> None:
    """A 500 that names a request id the server log files the details under — never the
    exception's text, which may hold paths, SQL or secrets."""
    if isinstance(exc, falcon.HTTPError | falcon.HTTPStatus):
        raise exc
    request_id = f"req_{uuid.uuid4().hex[:16]}"
    log.exception("unhandled error on %s %s (request id %s)", req.method, req.path, request_id)
    resp.status = falcon.HTTP_500
    resp.content_type = falcon.MEDIA_JSON
    resp.set_header("X-Request-ID", request_id)
    resp.text = json.dumps(
        {
            "error": {
                "message": f"internal error — the server log has the details under request id "
                f"{request_id}",
                "type": "server_error",
                "code": "internal_error",
                "param": None,
                "request_id": request_id,
            }
        }
    )


def _slug(title: str | None) -> str | None:
    if not title:
        return None
    return (
        title.split(" ", 1)[-1].lower().replace(" ", "_")
        if title[:3].isdigit()
        else title.lower().replace(" ", "_")
    )
