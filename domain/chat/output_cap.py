"""Our own enforcement of the output cap on a Chat Completions stream.

The cap is sent upstream, but an upstream may ignore it. ``OutputCap`` counts every piece of
output as it streams (reasoning, text, tool-call names and arguments, with the typical count of
``synth_ai.domain.sessions.tokens``) and, once the count reaches what the request reserved,
cuts the chunk that crosses it to fit, marks it ``finish_reason: "length"`` and tells the caller
to stop reading (and close the upstream). A stream cut here is charged what was counted, which
is never more than was reserved.
"""

from __future__ import annotations

import copy
from typing import Any

from synth_ai.domain.sessions.tokens import TokenCounter

LENGTH = "length"


class OutputCap:
    def __init__(self, limit: int | None):
        self.limit = limit  # None: count only, never cut
        self.counter = TokenCounter()
        self.cut = False

    @property
    def tokens(self) -> int:
        """Output counted so far (all choices together)."""
        return self.counter.tokens

    def apply(self, chunk: dict[str, Any]) -> dict[str, Any]:
        """The chunk as it may go out. After the one that reached the cap (``cut`` is then
        True), the caller must not pass on anything else the upstream sends."""
        choices = chunk.get("choices") or []
        if not choices:
            return chunk
        out = copy.deepcopy(chunk)
        for position, choice in enumerate(out["choices"]):
            delta = choice.get("delta") or choice.get("message") or {}
            if self._fit(delta):
                choice["finish_reason"] = LENGTH
                del out["choices"][position + 1 :]  # the others get nothing more
                self.cut = True
                break
        return out

    def _fit(self, delta: dict[str, Any]) -> bool:
        """Count the delta's output, trimming it in place to the cap; True when trimmed."""
        for key in ("reasoning_content", "reasoning", "content"):
            if self._fit_field(delta, key):
                return True
        calls = delta.get("tool_calls") or []
        for position, call in enumerate(calls):
            function = call.get("function") or {}
            if self._fit_field(function, "name") or self._fit_field(function, "arguments"):
                del calls[position + 1 :]
                return True
        return False

    def _fit_field(self, holder: dict[str, Any], key: str) -> bool:
        text = holder.get(key)
        if not isinstance(text, str) or not text:
            return False
        if self.limit is None:
            self.counter.add(text)
            return False
        kept = self.counter.fitting(text, self.limit)
        if len(kept) == len(text) and self.counter.tokens < self.limit:
            return False
        holder[key] = kept
        return True
