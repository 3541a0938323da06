"""Load a task app from a ``.py`` file exposing ``app``, ``build_config()`` or ``create_app()``."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any

from synth_ai.domain.task_apps.errors import InvalidTaskApp
from synth_ai.task_app.config import TaskAppConfig

log = logging.getLogger("synth_ai.task_app")


def import_file(path: str | Path):
    file = Path(path).expanduser().resolve()
    if file.suffix != ".py":
        raise InvalidTaskApp(
            f"task app {path} is not a .py file — point at the Python file that "
            "defines build_config(), create_app() or app",
            param="task_app_path",
        )
    if not file.is_file():
        raise InvalidTaskApp(f"task app file {file} does not exist", param="task_app_path")
    name = f"synth_task_app_{file.stem}_{hashlib.sha1(str(file).encode()).hexdigest()[:8]}"
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise InvalidTaskApp(
            f"task app {file} failed to import: {type(exc).__name__}: {exc}", param="task_app_path"
        ) from exc
    log.info("loaded task app module %s", file)
    return module


def load_task_app(path: str | Path) -> TaskAppConfig | Any:
    """A ``TaskAppConfig`` (from ``build_config()``) or a ready WSGI app (``app`` / ``create_app()``)."""
    module = import_file(path)
    if hasattr(module, "build_config"):
        config = module.build_config()
        if not isinstance(config, TaskAppConfig):
            raise InvalidTaskApp(
                f"build_config() in {path} returned {type(config).__name__}, not a TaskAppConfig",
                param="task_app_path",
            )
        return config
    app = getattr(module, "app", None)
    if app is None and hasattr(module, "create_app"):
        app = module.create_app()
    if app is None:
        raise InvalidTaskApp(
            f"{path} defines none of build_config(), create_app() or app — add one",
            param="task_app_path",
        )
    if isinstance(app, TaskAppConfig):
        return app
    if not callable(app):
        raise InvalidTaskApp(
            f"'app' in {path} is a {type(app).__name__}, not a WSGI app", param="task_app_path"
        )
    return app
