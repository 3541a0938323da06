"""In-process stores for state that lives only as long as one backend process."""

from synth_ai.adapters.in_memory.trials import InMemoryTrialStore

__all__ = ["InMemoryTrialStore"]
