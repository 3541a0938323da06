"""The real clock and id generator."""

from synth_ai.adapters.system.clock import RandomIds, SystemClock

__all__ = ["RandomIds", "SystemClock"]
