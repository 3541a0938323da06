"""What a request body may be: JSON, of bounded size, depth and free-form fields.

``[server] max_body_mb`` (``SYNTH_AI_MAX_BODY_MB``, default 32: long Codex conversations fit)
caps a body; ``synth-ai serve`` gives Waitress the same cap, so an oversized
``Content-Length`` is refused (413) before the body is read. ``[server] max_metadata_kb``
(default 64) caps every ``metadata`` object, so no org can slow the others down with a 20 MB
session metadata. Bodies nested deeper than ``MAX_DEPTH``, holding lone UTF-16 surrogates, or
not UTF-8 (a byte-order mark, UTF-16) are 400s; a body sent as anything but JSON is a 415.
"""

from __future__ import annotations

import os

import falcon
from attrs import frozen

MAX_DEPTH = 100
JSON_TYPES = ("application/json",)


@frozen
class RequestLimits:
    max_body_bytes: int = 32 * 1024 * 1024
    max_metadata_bytes: int = 64 * 1024
    max_depth: int = MAX_DEPTH


def request_limits(settings) -> RequestLimits:
    server = settings.section("server")
    body_mb = float(os.environ.get("SYNTH_AI_MAX_BODY_MB") or server.get("max_body_mb", 32))
    metadata_kb = float(server.get("max_metadata_kb", 64))
    return RequestLimits(int(body_mb * 1024 * 1024), int(metadata_kb * 1024))


def waitress_adjustments(limits: RequestLimits) -> dict:
    """What ``synth-ai serve`` tells Waitress, so it refuses an oversized body (413) from its
    headers instead of buffering it first."""
    return {"max_request_body_size": limits.max_body_bytes}


def is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media in JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


class BodyLimitsMiddleware:
    """Refuse a body by its headers, before anything reads it: 415 when it is not JSON, 413
    when its declared length passes the cap. ``read_json`` enforces the rest."""

    def __init__(self, limits: RequestLimits):
        self._limits = limits

    def process_request(self, req, resp) -> None:
        req.context.limits = self._limits
        if req.method not in ("POST", "PUT", "PATCH") or not req.content_length:
            return
        if req.content_type and not is_json(req.content_type):
            raise falcon.HTTPUnsupportedMediaType(
                description=f"this route reads JSON; the body was sent as {req.content_type!r} "
                "— send it with 'Content-Type: application/json'"
            )
        if req.content_length > self._limits.max_body_bytes:
            raise too_large(req.content_length, self._limits.max_body_bytes)


def too_large(size: int, cap: int) -> falcon.HTTPPayloadTooLarge:
    return falcon.HTTPPayloadTooLarge(
        description=f"the request body is {size} bytes; this backend takes at most {cap} — "
        "send less, or raise [server] max_body_mb"
    )
