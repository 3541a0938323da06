"""The real clock, id generator and ticker."""

from synth_ai.adapters.system.clock import RandomIds, SystemClock, ThreadTicker

__all__ = ["RandomIds", "SystemClock", "ThreadTicker"]
