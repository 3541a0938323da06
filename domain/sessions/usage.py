"""Metered usage of one request, in the units limits are expressed in."""

from __future__ import annotations

from attrs import frozen


@frozen
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    gpu_hours: float = 0.0
    api_calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @classmethod
    def from_openai(cls, usage: dict | None, *, api_calls: int = 1) -> Usage:
        """From a Chat Completions or Responses ``usage`` object (either naming)."""
        usage = usage or {}
        details = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
        return cls(
            input_tokens=int(usage.get("prompt_tokens", usage.get("input_tokens", 0)) or 0),
            output_tokens=int(usage.get("completion_tokens", usage.get("output_tokens", 0)) or 0),
            cached_tokens=int((details or {}).get("cached_tokens", 0) or 0),
            api_calls=api_calls,
        )
