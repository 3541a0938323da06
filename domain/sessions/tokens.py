"""Token estimates: the one place that says how many tokens a prompt or an answer holds.

Every metered route (Chat Completions and the Responses bridge) reserves with
``prompt_tokens`` and, when the upstream reports no usage, charges with ``estimate_tokens``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any


def prompt_tokens(messages: Sequence[object] | None, tools: Sequence[object] | None = None) -> int:
    """The prompt estimate a reservation holds: messages (chars / 3, rounded up, plus 4 tokens
    of framing each) and the tool definitions sent with them."""
    return estimate_prompt_tokens(messages) + (estimate_tokens(json.dumps(tools)) if tools else 0)


def estimate_tokens(text: str) -> int:
    """The documented estimator when the upstream reports no usage: one token per 4 characters,
    rounded up (no tokenizer download needed)."""
    return math.ceil(len(text) / 4) if text else 0


def estimate_prompt_tokens(messages: Sequence[object] | None) -> int:
    """A deliberately generous prompt estimate for reservations: characters / 3, rounded up,
    plus 4 tokens of framing per message, so the worst case is rarely under-reserved."""
    total = 0
    for message in messages or []:
        if not isinstance(message, dict):
            total += math.ceil(len(str(message)) / 3)
            continue
        total += 4 + math.ceil(len(_text_of(message)) / 3)
    return total


def _text_of(message: Mapping[str, Any]) -> str:
    parts = []
    for key, value in message.items():
        if key == "role":
            continue
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(_text_of(v) if isinstance(v, dict) else str(v) for v in value)
        elif isinstance(value, dict):
            parts.append(_text_of(value))
    return " ".join(parts)
