"""When a queue worker counts as stale: its heartbeat is several beats late."""

from __future__ import annotations

MISSED_BEATS = 5
MIN_STALE_S = 10.0


def stale_after(heartbeat_s: float) -> float:
    """Seconds without a heartbeat after which a worker is shown as stale."""
    return max(heartbeat_s * MISSED_BEATS, MIN_STALE_S)
