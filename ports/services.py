"""The records of running deployments that ``synth-ai deploy`` writes and ``scan`` reads."""

from __future__ import annotations

from typing import Protocol

from synth_ai.domain.task_apps.deployments import ServiceRecord


class ServiceRecords(Protocol):
    def add(self, record: ServiceRecord) -> None:
        """Insert or replace (by id)."""
        ...

    def list(self) -> list[ServiceRecord]:
        """Live records only: records whose process is gone are dropped (and forgotten)."""
        ...

    def get(self, record_id: str) -> ServiceRecord | None: ...

    def remove(self, record_id: str) -> bool: ...
