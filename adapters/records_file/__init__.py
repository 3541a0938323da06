"""Service records in ~/.synth-ai/services.json, written atomically under a lock."""

from synth_ai.adapters.records_file.services_file import (
    SYNTH_AI_WORDS,
    ServicesFile,
    deployment_alive,
    pid_alive,
    runs_synth_ai,
)

__all__ = ["SYNTH_AI_WORDS", "ServicesFile", "deployment_alive", "pid_alive", "runs_synth_ai"]
