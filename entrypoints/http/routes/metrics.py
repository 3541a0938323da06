"""``GET /metrics``: the Prometheus text exposition of ``synth-ai serve``.

Open unless ``[metrics] token`` / ``SYNTH_AI_METRICS_TOKEN`` is set; then it needs
``Authorization: Bearer TOKEN`` (an API key does not open it: scrapers get their own secret).
"""

from __future__ import annotations

import hmac

from synth_ai.domain.errors import Unauthorized

MEDIA = "text/plain"


class Metrics:
    auth_required = False  # scrapers carry the metrics token, not an API key

    def __init__(self, metrics, token: str | None):
        self._metrics = metrics
        self._token = token

    def on_get(self, req, resp):
        if self._token is not None and not _bearer_matches(
            req.get_header("Authorization"), self._token
        ):
            raise Unauthorized(
                "/metrics needs 'Authorization: Bearer <metrics token>' — the token is "
                "[metrics] token in config.toml or SYNTH_AI_METRICS_TOKEN",
                code="invalid_metrics_token",
            )
        body, content_type = self._metrics.exposition()
        resp.data = body
        resp.content_type = content_type


def _bearer_matches(header: str | None, token: str) -> bool:
    scheme, _, presented = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.strip().encode(), token.encode()
    )


def register(app, spec, *, metrics, token: str | None) -> None:
    app.add_route("/metrics", Metrics(metrics, token))
    spec.add(
        "/metrics",
        "GET",
        "Prometheus metrics (text exposition); needs the metrics token when one is set",
        tag="core",
        auth=False,
    )
    # The body is Prometheus text, not JSON: declare what is really sent.
    ok = spec.paths["/metrics"]["get"]["responses"]["200"]
    ok["content"] = {MEDIA: {"schema": {"type": "string"}}}
