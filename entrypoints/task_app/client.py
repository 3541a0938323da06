"""``TaskAppClient``: the SDK's task-app client, with its defaults from the environment.

The HTTP work is ``synth_ai.adapters.task_app_http.HttpTaskAppClient``; this fills what a
caller leaves out: the key from ``ENVIRONMENT_API_KEY`` and the tunnel edge overrides from
``[tunnels] resolve`` (``SYNTH_AI_TUNNEL_RESOLVE``).
"""

from __future__ import annotations

import os

from synth_ai.adapters.task_app_http import HttpTaskAppClient
from synth_ai.domain.tunnels.model import EdgeOverrides


def default_overrides() -> EdgeOverrides:
    from synth_ai.settings.config import load_settings
    from synth_ai.settings.tunnels import TunnelSettings

    return TunnelSettings.from_settings(load_settings()).resolve


class TaskAppClient(HttpTaskAppClient):
    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        overrides: EdgeOverrides | None = None,
        timeout: float = 60.0,
    ):
        super().__init__(
            url,
            api_key if api_key is not None else os.environ.get("ENVIRONMENT_API_KEY"),
            overrides=overrides if overrides is not None else default_overrides(),
            timeout=timeout,
        )
