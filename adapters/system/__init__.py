"""Real clock and id generator."""

from __future__ import annotations

import secrets
import time


class SystemClock:
    def now(self) -> float:
        return time.time()


class RandomIds:
    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(12)}"
