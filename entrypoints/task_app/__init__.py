"""Task apps: write one (``TaskAppConfig``), serve it (``create_task_app``), host it in-process.

``synth_ai.task_app.config`` is light; the Falcon app and the in-process host load on first use.
"""

from __future__ import annotations

from synth_ai.task_app.config import TaskAppConfig

_LAZY = {
    "create_task_app": "synth_ai.task_app.app:create_task_app",
    "InProcessTaskApp": "synth_ai.task_app.in_process:InProcessTaskApp",
    "load_task_app": "synth_ai.task_app.loading:load_task_app",
    "TaskAppClient": "synth_ai.task_app.client:TaskAppClient",
}

__all__ = ["InProcessTaskApp", "TaskAppClient", "TaskAppConfig", "create_task_app", "load_task_app"]


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'synth_ai.task_app' has no attribute {name!r}")
    import importlib

    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)
