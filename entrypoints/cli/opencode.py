"""``synth-ai opencode``: opencode on the Responses bridge, inside a budgeted session.

The provider config (``@ai-sdk/openai`` → the bridge, with the session header) is written to a
private temporary directory (mode 0700) named by ``OPENCODE_CONFIG`` for this run and removed
afterwards; the user's own opencode config is never written. The key stays in the environment.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from synth_ai.cli.launch import KEY_ENV, client_command, launch


def opencode_config(base_url: str, session_id: str, model: str) -> dict:
    return {
        "$schema": "https://opencode.ai/config.json",
        "provider": {
            "synth": {
                "npm": "@ai-sdk/openai",
                "name": "synth-ai",
                "options": {
                    "baseURL": f"{base_url}/api/v1",
                    "apiKey": f"{{env:{KEY_ENV}}}",
                    # opencode sends its own chat-session id as X-Session-ID
                    "headers": {"X-Synth-Session-ID": session_id},
                },
                "models": {model: {"name": model}},
            }
        },
        "model": f"synth/{model}",
    }


def _write_config(private: Path, config: dict) -> Path:
    path = private / "opencode.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
    return path


@client_command("opencode")
def opencode(obj, model, config_path, client_args):
    """Run opencode against the synth-ai backend in a session with budget limits.

    Arguments after -- go to opencode, e.g. 'synth-ai opencode -- run "fix the tests"'.
    """

    def build(binary: str, base_url: str, session_id: str, private: Path):
        config = _write_config(private, opencode_config(base_url, session_id, model))
        return [binary, *client_args], {"OPENCODE_CONFIG": str(config)}

    launch(
        obj,
        name="opencode",
        env_var="SYNTH_AI_OPENCODE_BIN",
        install="npm install -g opencode-ai",
        config_path=config_path,
        build=build,
    )
