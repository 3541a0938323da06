"""Optuna's TPE sampler as MIPRO's ``SearchFactory``."""

from synth_ai.adapters.optuna_search.sampler import TpeSearch, TpeSearchFactory

__all__ = ["TpeSearch", "TpeSearchFactory"]
