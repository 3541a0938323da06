"""Locating the real npm clients (installed by scripts/npm-clients) and scripting their upstream."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.scripted_upstream import Reply, ToolCall

E2E_KEY = "sk-synth-e2e-key"

# Read at import (collection), before the autouse fixture clears SYNTH_* variables per test.
_BINS = {name: os.environ.get(name) for name in ("SYNTH_AI_CODEX_BIN", "SYNTH_AI_OPENCODE_BIN")}


# ``codex exec`` offline and unattended: no plugin or analytics calls off the machine, writes
# sandboxed to the working directory, never an approval prompt.
CODEX_EXEC = [
    "exec",
    "--json",
    "--skip-git-repo-check",
    "--disable",
    "plugins",
    "-c",
    "analytics.enabled=false",
    "--sandbox",
    "workspace-write",
    "-c",
    'approval_policy="never"',
]


def client_bin(env_var: str, name: str) -> str:
    """The client binary: ``$SYNTH_AI_*_BIN``, the repo's ``.cache/npm``, or on PATH. Missing is a failure, never a skip."""
    cached = Path(__file__).resolve().parents[2] / ".cache/npm/node_modules/.bin" / name
    path = (
        _BINS.get(env_var)
        or os.environ.get(env_var)
        or (str(cached) if cached.exists() else None)
        or shutil.which(name)
    )
    if not path or not os.access(path, os.X_OK):
        pytest.fail(
            f"{name} is not installed: run the suite with scripts/test (it installs the pinned "
            f"version into .cache/npm) or set {env_var}",
            pytrace=False,
        )
    return path


def shell_then_answer(tool: str, arguments: dict, answer: str):
    """A responder: asks for one shell command, then answers once the tool output came back.

    Requests without tools (opencode's title request) get a short title.
    """

    def respond(body: dict) -> Reply:
        messages = body.get("messages") or []
        names = {t["function"]["name"] for t in body.get("tools") or []}
        if tool not in names:
            return Reply(text="Proof file")
        if any(m.get("role") == "tool" for m in messages):
            return Reply(text=answer)
        return Reply(tool_calls=[ToolCall(tool, arguments)])

    return respond
