"""Which chat provider serves the upstream, and the ``local`` provider's options.

``[upstream] provider`` is ``"openai"`` (any OpenAI-compatible URL, the default) or ``"local"``
(llama.cpp in-process, extra ``synth-ai[local]``). The local provider reads, from the same
table: ``model_path`` (any GGUF; default the packaged Gemma 3 270M), ``context_size`` (4096),
``threads`` (every core), ``prompt_format`` (``auto``: the GGUF's chat template when it has one,
else ``gemma``, Gemma's turns written as text; ``gemma-control``: the same turns with Gemma's
control tokens, for instruction-tuned files without a template), ``max_tokens`` (the output
cap when a request sends none, 512).
Environment overrides: ``SYNTH_AI_UPSTREAM_PROVIDER``, ``SYNTH_AI_LOCAL_MODEL_PATH``,
``SYNTH_AI_LOCAL_THREADS``.
"""

from __future__ import annotations

import os

from attrs import frozen
from synth_ai.domain.errors import InvalidInput
from synth_ai.settings.config import Settings

PROVIDERS = ("openai", "local")
PROMPT_FORMATS = ("auto", "gemma", "gemma-control", "template")


def upstream_provider(settings: Settings, environ: dict | None = None) -> str:
    env = os.environ if environ is None else environ
    name = env.get("SYNTH_AI_UPSTREAM_PROVIDER") or settings.section("upstream").get("provider")
    name = str(name or "openai").strip().lower()
    if name not in PROVIDERS:
        raise InvalidInput(
            f"[upstream] provider must be one of {', '.join(PROVIDERS)}, got {name!r} — "
            "use local for the in-process model, openai for any OpenAI-compatible URL"
        )
    return name


@frozen
class LocalModelSettings:
    model_path: str | None = None
    context_size: int = 4096
    threads: int | None = None
    prompt_format: str = "auto"
    max_tokens: int = 512

    @classmethod
    def from_settings(cls, settings: Settings, environ: dict | None = None) -> LocalModelSettings:
        env = os.environ if environ is None else environ
        table = settings.section("upstream")
        threads = env.get("SYNTH_AI_LOCAL_THREADS") or table.get("threads")
        prompt_format = str(table.get("prompt_format", "auto"))
        if prompt_format not in PROMPT_FORMATS:
            raise InvalidInput(
                f"[upstream] prompt_format must be one of {', '.join(PROMPT_FORMATS)}, "
                f"got {prompt_format!r}"
            )
        return cls(
            model_path=env.get("SYNTH_AI_LOCAL_MODEL_PATH") or table.get("model_path") or None,
            context_size=_positive(table.get("context_size", 4096), "context_size"),
            threads=_positive(threads, "threads") if threads else os.cpu_count(),
            prompt_format=prompt_format,
            max_tokens=_positive(table.get("max_tokens", 512), "max_tokens"),
        )


def _positive(value, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise InvalidInput(f"[upstream] {name} must be a positive integer, got {value!r}")
    return number
