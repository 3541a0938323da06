"""GEPA (the ``gepa`` package) as the ``PromptSearch`` of ``gepa`` jobs."""

from synth_ai.adapters.gepa_engine.engine import GepaSearch, TaskAppGepaAdapter

__all__ = ["GepaSearch", "TaskAppGepaAdapter"]
