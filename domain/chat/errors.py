"""The chat capability's named errors."""

from __future__ import annotations

from typing import Any

from synth_ai.domain.errors import ServiceUnavailable

NO_UPSTREAM = (
    "no chat upstream is configured — set [upstream] base_url (and api_key) in "
    "$SYNTH_AI_HOME/config.toml, or SYNTH_AI_UPSTREAM_URL / SYNTH_AI_UPSTREAM_API_KEY, "
    "to any OpenAI-compatible Chat Completions endpoint (OpenAI, vLLM, Ollama, llama.cpp, Groq)"
)


class UpstreamNotConfigured(ServiceUnavailable):
    code = "upstream_not_configured"

    def __init__(self, message: str = NO_UPSTREAM, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
