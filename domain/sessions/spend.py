"""A session's spend over time: the cumulative series a chart draws, from its ledger."""

from __future__ import annotations

import math
from collections.abc import Iterable

from attrs import frozen
from synth_ai.domain.sessions.model import Amounts, LedgerEntry

# How many of a session's newest ledger entries a series is built from.
MAX_ENTRIES = 10_000
NOTHING = Amounts()


@frozen
class SpendPoint:
    """Cumulative spend at ``t`` (epoch seconds)."""

    t: float
    amounts: Amounts


def spend_series(
    entries: Iterable[LedgerEntry], *, bucket_s: float | None = None, start: Amounts = NOTHING
) -> list[SpendPoint]:
    """Cumulative spend, oldest first, from ``start`` (what was spent before these entries).

    Without ``bucket_s`` one point per entry time; with it, one point per bucket of
    ``bucket_s`` seconds that had entries, at the bucket's end.
    """
    if bucket_s is not None and not bucket_s > 0:
        raise ValueError(f"bucket_s must be > 0, got {bucket_s!r}")
    points: list[SpendPoint] = []
    running = start
    for entry in sorted(entries, key=lambda e: (e.created_at, e.id)):
        running = running + entry.amounts
        t = entry.created_at
        if bucket_s is not None:
            t = (math.floor(t / bucket_s) + 1) * bucket_s
        if points and points[-1].t == t:
            points[-1] = SpendPoint(t, running)
        else:
            points.append(SpendPoint(t, running))
    return points


def spent_before(total: Amounts, entries: Iterable[LedgerEntry]) -> Amounts:
    """What ``total`` holds beyond ``entries`` (the older entries a series did not read)."""
    read = Amounts()
    for entry in entries:
        read = read + entry.amounts
    return total.minus(read)
