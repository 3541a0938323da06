"""Applying settles to the session store, and keeping them when it cannot take them.

A request whose upstream has answered must not lose its settle to a store outage (Redis down
or hung, a database that refuses writes): the answer goes to the client, and the settle goes
to a durable ``SettleOutbox``, replayed in the background with backoff (1 s, 2 s, … up to
``MAX_BACKOFF``) until the store takes it. Replaying is safe: a reservation settles at most
once (``SessionStore.settle`` is False and changes nothing when it is already settled, or was
released because its lease lapsed while the store was away), so a settle that did reach the
store before the failure was noticed is never charged twice. Every step is logged.
"""

from __future__ import annotations

import logging
import threading

from synth_ai.domain.errors import ServiceUnavailable
from synth_ai.domain.sessions.model import Amounts, LedgerEntry, PendingSettle
from synth_ai.ports.clock import Clock, Ticker
from synth_ai.ports.sessions import SessionStore, SettleOutbox

log = logging.getLogger(__name__)

TICK = 1.0  # seconds between checks of the outbox while it holds settles
MAX_BACKOFF = 30.0


class Settlement:
    def __init__(
        self,
        store: SessionStore,
        clock: Clock,
        *,
        outbox: SettleOutbox | None = None,
        ticker: Ticker | None = None,
    ):
        self.store = store
        self.clock = clock
        self.outbox = outbox
        self._ticker = ticker
        self._lock = threading.Lock()
        self._replaying = threading.Lock()
        self._ticking = False
        self._checked_outbox = False
        self._backoff = TICK
        self._next_try = 0.0

    def apply(self, reservation_id: str | None, actual: Amounts, entry: LedgerEntry) -> bool:
        """Settle now, or keep it in the outbox when the store is unreachable. True when this
        call charged (or will charge) it; False when the reservation was already settled."""
        self._resume_once()
        pending = PendingSettle(entry, actual, reservation_id)
        try:
            return self._to_store(pending)
        except ServiceUnavailable as exc:
            return self._defer(pending, exc)

    def replay(self) -> int:
        """Apply the settles waiting in the outbox, oldest first, until the store fails again.
        Returns how many left the outbox. Runs on the ticker; safe to call from anywhere."""
        if self.outbox is None or not self._replaying.acquire(blocking=False):
            return 0
        try:
            now = self.clock.now()
            if now < self._next_try:
                return 0
            done = 0
            for pending in self.outbox.pending():
                try:
                    applied = self._to_store(pending)
                except ServiceUnavailable as exc:
                    self._backoff = min(self._backoff * 2, MAX_BACKOFF)
                    self._next_try = now + self._backoff
                    log.warning(
                        "the session store is still unreachable (%s): %s settle(s) wait in %s, "
                        "next try in %.0f s",
                        exc.message,
                        len(self.outbox.pending()),
                        self.outbox.where,
                        self._backoff,
                    )
                    return done
                self.outbox.remove(pending.id)
                done += 1
                _log_replayed(pending, applied, now)
            self._backoff, self._next_try = TICK, 0.0
            return done
        finally:
            self._replaying.release()

    def resume(self) -> None:
        """Start replaying when the outbox holds settles from an earlier run (``serve`` calls
        it at start; the first settle does too)."""
        self._checked_outbox = True
        if self.outbox is None:
            return
        try:
            waiting = bool(self.outbox.pending(1))
        except Exception:  # noqa: BLE001 - a broken outbox must not stop serving or settling
            log.exception("could not read the settle outbox %s", self.outbox.where)
            return
        if waiting:
            log.warning(
                "%s holds settles not yet applied to the session store: replaying them",
                self.outbox.where,
            )
            self._tick()

    # -- helpers ------------------------------------------------------------------------------
    def _to_store(self, pending: PendingSettle) -> bool:
        if pending.reservation_id is None:
            self.store.record(pending.entry)
            return True
        return self.store.settle(
            pending.reservation_id, pending.actual, pending.entry, self.clock.now()
        )

    def _defer(self, pending: PendingSettle, exc: ServiceUnavailable) -> bool:
        entry = pending.entry
        if self.outbox is None:
            raise exc
        try:
            self.outbox.put(pending)
        except Exception:  # noqa: BLE001 - the last place this charge exists is the log
            log.exception(
                "LOST settle: the session store is unreachable (%s) and the outbox %s refused "
                "it; apply it by hand: %r",
                exc.message,
                self.outbox.where,
                pending,
            )
            return False
        log.warning(
            "the session store is unreachable (%s): the settle of reservation %s (session %s, "
            "%s tokens, $%.6f) waits in %s and is applied when the store is back",
            exc.message,
            pending.reservation_id or "(none: X-No-Session)",
            entry.session_id,
            entry.amounts.tokens,
            entry.amounts.cost_usd,
            self.outbox.where,
        )
        self._tick()
        return True

    def _tick(self) -> None:
        with self._lock:
            if self._ticking or self._ticker is None:
                return
            self._ticking = True
        self._ticker.every(TICK, self.replay, "synth-ai-settle-outbox")

    def _resume_once(self) -> None:
        if not self._checked_outbox:
            self.resume()


def _log_replayed(pending: PendingSettle, applied: bool, now: float) -> None:
    waited = now - pending.entry.created_at
    if applied:
        log.warning(
            "settled reservation %s (session %s) from the outbox after the store came back "
            "(%.1f s late)",
            pending.reservation_id or "(none: X-No-Session)",
            pending.entry.session_id,
            waited,
        )
    else:
        log.warning(
            "reservation %s (session %s) was already settled or released when its settle was "
            "replayed from the outbox: nothing charged twice",
            pending.reservation_id,
            pending.entry.session_id,
        )
