"""``[metrics]``: who may read ``/metrics``.

``token`` (or ``SYNTH_AI_METRICS_TOKEN``): scrapers must send ``Authorization: Bearer TOKEN``.
Unset, ``/metrics`` is open, as Prometheus scrapers usually carry no key; it never shows an API
key or a key id in any label, only route templates, org ids, model names and counts.
"""

from __future__ import annotations

import os

from synth_ai.settings.config import Settings


def metrics_token(settings: Settings) -> str | None:
    token = os.environ.get("SYNTH_AI_METRICS_TOKEN") or settings.section("metrics").get("token")
    text = str(token or "").strip()
    return text or None
