"""Fakes of the task-app ports."""

from __future__ import annotations


class InMemoryServiceRecords:
    """``ServiceRecords`` in memory; ``alive`` says which pids still run."""

    def __init__(self, alive: set[int] | None = None):
        self.alive = alive if alive is not None else set()
        self._records: dict = {}

    def add(self, record) -> None:
        self._records[record.id] = record

    def list(self) -> list:
        self._records = {k: r for k, r in self._records.items() if r.pid in self.alive}
        return list(self._records.values())

    def list_all(self) -> list:
        return list(self._records.values())

    def get(self, record_id: str):
        return next((r for r in self.list() if r.id == record_id), None)

    def remove(self, record_id: str) -> bool:
        return self._records.pop(record_id, None) is not None
