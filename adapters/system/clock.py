"""Real clock and id generator."""

from __future__ import annotations

import secrets
import time
import uuid


class SystemClock:
    def now(self) -> float:
        return time.time()


class RandomIds:
    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(12)}"

    def new_uuid(self) -> str:
        return str(uuid.uuid4())
