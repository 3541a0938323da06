"""``synth-ai opencode``: opencode on the Responses bridge, inside a budgeted session.

The provider config (``@ai-sdk/openai`` → the bridge, with the session header) is written to a
private temporary directory (mode 0700) named by ``OPENCODE_CONFIG`` for this run and removed
afterwards; the user's own opencode config is never written. The key stays in the environment.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import click
from synth_ai.cli.launch import (
    KEY_ENV,
    BudgetedSession,
    backend_and_key,
    child_env,
    exit_with,
    find_client,
    read_session_table,
    run_foreground,
    session_limits,
)


def opencode_config(base_url: str, session_id: str, model: str) -> dict:
    return {
        "$schema": "https://opencode.ai/config.json",
        "provider": {"synth": {
            "npm": "@ai-sdk/openai", "name": "synth-ai",
            "options": {"baseURL": f"{base_url}/api/v1", "apiKey": f"{{env:{KEY_ENV}}}",
                        # opencode sends its own chat-session id as X-Session-ID
                        "headers": {"X-Synth-Session-ID": session_id}},
            "models": {model: {"name": model}},
        }},
        "model": f"synth/{model}",
    }


@click.command("opencode", context_settings={"ignore_unknown_options": True})
@click.option("--model", "-m", default="synth-small", show_default=True, help="Model name the bridge serves.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="TOML file with a [session] table (default: ./codex.toml, then ./synth.toml).")
@click.argument("opencode_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def opencode(obj, model, config_path, opencode_args):
    """Run opencode against the synth-ai backend in a session with budget limits.

    Arguments after -- go to opencode, e.g. 'synth-ai opencode -- run "fix the tests"'.
    """
    binary = find_client("opencode", "SYNTH_AI_OPENCODE_BIN", "npm install -g opencode-ai")
    limits = session_limits(read_session_table(config_path))
    backend, base_url, key = backend_and_key(obj)
    with BudgetedSession(backend, limits, "opencode") as session:
        private = Path(tempfile.mkdtemp(prefix="synth-opencode-"))  # mkdtemp: mode 0700
        try:
            config = private / "opencode.json"
            fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(opencode_config(base_url, session.id, model), handle, indent=2)
            env = {**child_env(key), "OPENCODE_CONFIG": str(config)}
            click.echo(f"synth-ai: opencode in session {session.id} ({base_url})", err=True)
            code = run_foreground([binary, *opencode_args], env)
        finally:
            shutil.rmtree(private, ignore_errors=True)
    exit_with(code)
