"""Request metrics as Falcon middleware: every answer counted by its route *template*.

Labels are the method, ``req.uri_template`` (``/api/v1/sessions/{session_id}``; a path no
route serves is ``unmatched``) and the status code, so their number is bounded by the routes
declared, never by the paths callers send. A 429 ``usage_limit_reached`` is also counted by the
session limit metric its body names. Latency is until the responder returns: for a stream,
until its first byte (streams open now are a gauge of the admission control).
"""

from __future__ import annotations

import json
import time

LIMIT_CODE = "usage_limit_reached"


class RequestMetrics:
    def __init__(self, metrics):
        self._metrics = metrics

    def process_request(self, req, resp) -> None:
        req.context.metrics_started = time.perf_counter()

    def process_response(self, req, resp, resource, req_succeeded) -> None:
        started = getattr(req.context, "metrics_started", None)
        elapsed = 0.0 if started is None else time.perf_counter() - started
        status = resp.status_code
        self._metrics.observe_request(req.method, req.uri_template, status, elapsed)
        if status == 429:
            refusal = _limit_refusal(resp)
            if refusal is not None:
                self._metrics.refused(refusal.get("metric"))


def _limit_refusal(resp) -> dict | None:
    """The error body of a budget refusal (its ``metric`` names the limit), else None."""
    text = resp.text
    if not isinstance(text, str):
        return None
    try:
        error = json.loads(text).get("error")
    except (ValueError, AttributeError):
        return None
    if not isinstance(error, dict) or error.get("code") != LIMIT_CODE:
        return None
    return error
