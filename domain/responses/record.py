"""What the response store keeps per response: enough to continue the conversation later."""

from __future__ import annotations

from typing import Any

from attrs import frozen


@frozen
class StoredResponse:
    """One response of one org: the ``Response`` object and the conversation that led to it.

    ``input_items`` is the whole conversation the turn saw (stored history plus the new input),
    so ``history()`` continues a chain of ``previous_response_id`` without walking it.
    """

    id: str
    org_id: str
    response: dict[str, Any]
    input_items: tuple[dict[str, Any], ...]
    output_items: tuple[dict[str, Any], ...]
    created_at: float

    def history(self) -> list[dict[str, Any]]:
        return [*self.input_items, *self.output_items]
