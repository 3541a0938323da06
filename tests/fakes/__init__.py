"""Small fakes of the ports, for unit tests (no MagicMock)."""

from __future__ import annotations

import itertools
import threading


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0):
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class SequentialIds:
    def __init__(self):
        self._counter = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter):06d}"

    def new_uuid(self) -> str:
        import uuid

        return str(uuid.UUID(int=next(self._counter)))


# Fakes kept in a module per capability, re-exported for existing imports.
from tests.fakes.responses import (  # noqa: E402
    FakeChatStream,
    InMemoryResponseStore,
    RecordingMeter,
    RecordingMeterFactory,
    ScriptedChatProvider,
    chat_chunks,
)
from tests.fakes.sessions import FakeSessionStore  # noqa: E402

__all__ = [
    "FakeChatStream",
    "FakeSessionStore",
    "InMemoryResponseStore",
    "RecordingMeter",
    "RecordingMeterFactory",
    "ScriptedChatProvider",
    "chat_chunks",
]
