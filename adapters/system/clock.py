"""The real clock, id generator and ticker."""

from __future__ import annotations

import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable

log = logging.getLogger("synth_ai.ticker")


class SystemClock:
    def now(self) -> float:
        return time.time()


class RandomIds:
    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(12)}"

    def new_uuid(self) -> str:
        return str(uuid.uuid4())


class ThreadTicker:
    """``Ticker`` on daemon threads: one thread per ``every`` call, sleeping between ticks."""

    def every(self, seconds: float, tick: Callable[[], object], name: str) -> None:
        def loop() -> None:
            while True:
                time.sleep(seconds)
                try:
                    tick()
                except Exception:  # noqa: BLE001 - one failed tick must not end the loop
                    log.exception("%s: a tick failed", name)

        threading.Thread(target=loop, name=name, daemon=True).start()
