"""A meter factory that meters nothing: the default until a session store is wired in."""

from __future__ import annotations

from synth_ai.domain.usage import Usage


class _Charge:
    session_id = None

    def __init__(self):
        self.warnings: list[str] = []

    def settle(self, usage: Usage) -> None:
        return None


class _Meter:
    def reserve(self, *, model: str, prompt_tokens: int, max_output_tokens: int | None) -> _Charge:
        return _Charge()


class UnmeteredFactory:
    def meter_for(self, principal, *, session_id: str | None, opt_out: bool) -> _Meter:
        return _Meter()
