"""Where responses are kept for ``GET /responses/{id}`` and ``previous_response_id``."""

from __future__ import annotations

from typing import Protocol

from synth_ai.domain.responses.record import StoredResponse


class ResponseStore(Protocol):
    def save(self, record: StoredResponse) -> None:
        """Insert or replace the record (keyed by org and id)."""
        ...

    def get(self, org_id: str, response_id: str) -> StoredResponse | None:
        """The record of that org, or ``None`` (another org's id is simply not found)."""
        ...
