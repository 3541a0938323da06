"""``synth-ai codex``: the Codex CLI on the Responses bridge, inside a budgeted session.

Codex is configured only through ``-c`` flags for this run (a ``synth`` model provider with
``wire_api = "responses"`` and the session header); the user's ``~/.codex/config.toml`` is
never touched.
"""

from __future__ import annotations

import json
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


def codex_overrides(base_url: str, session_id: str) -> list[str]:
    """The ``-c`` flags that point Codex at the bridge for this run only."""
    name, url, env_key, session = (json.dumps(value) for value in
                                   ("synth-ai", f"{base_url}/api/v1", KEY_ENV, session_id))
    provider = (f'{{name={name}, base_url={url}, env_key={env_key}, wire_api="responses", '
                f'http_headers={{"X-Session-ID"={session}}}}}')
    return ["-c", f"model_providers.synth={provider}", "-c", 'model_provider="synth"']


SUBCOMMANDS = frozenset({"exec", "e", "resume", "review", "fork"})


def codex_argv(binary: str, base_url: str, session_id: str, model: str, args: tuple[str, ...]) -> list[str]:
    """Overrides go after a subcommand (``exec``…) so they apply to it, else before the prompt."""
    flags = [*codex_overrides(base_url, session_id), "-m", model]
    if args and args[0] in SUBCOMMANDS:
        return [binary, args[0], *flags, *args[1:]]
    return [binary, *flags, *args]


@click.command("codex", context_settings={"ignore_unknown_options": True})
@click.option("--model", "-m", default="synth-small", show_default=True, help="Model name the bridge serves.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="TOML file with a [session] table (default: ./codex.toml, then ./synth.toml).")
@click.argument("codex_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def codex(obj, model, config_path, codex_args):
    """Run Codex against the synth-ai backend in a session with budget limits.

    Arguments after -- go to codex, e.g. 'synth-ai codex -- exec "fix the tests"'.
    """
    binary = find_client("codex", "SYNTH_AI_CODEX_BIN", "npm install -g @openai/codex")
    limits = session_limits(read_session_table(config_path))
    backend, base_url, key = backend_and_key(obj)
    with BudgetedSession(backend, limits, "codex") as session:
        argv = codex_argv(binary, base_url, session.id, model, codex_args)
        click.echo(f"synth-ai: codex in session {session.id} ({base_url})", err=True)
        code = run_foreground(argv, child_env(key))
    exit_with(code)
