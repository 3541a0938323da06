"""synth-ai: optimise LLM prompts and policies against task apps.

The SDK facade. Heavy pieces are imported lazily so ``import synth_ai`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "Artifacts": "synth_ai.artifacts_sdk:Artifacts",
}

_LAZY.update(
    {  # task apps
        "InProcessTaskApp": "synth_ai.task_app.in_process:InProcessTaskApp",
        "TaskAppConfig": "synth_ai.task_app.config:TaskAppConfig",
        "create_task_app": "synth_ai.task_app.app:create_task_app",
        "TaskAppClient": "synth_ai.task_app.client:TaskAppClient",
    }
)


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'synth_ai' has no attribute {name!r}")
    import importlib

    module_name, _, attr = target.rpartition(":")
    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
