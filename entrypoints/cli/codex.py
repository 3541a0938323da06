"""``synth-ai codex``: the Codex CLI on the Responses bridge, inside a budgeted session.

Codex is configured only through ``-c`` flags for this run (a ``synth`` model provider with
``wire_api = "responses"`` and the session header); the user's ``~/.codex/config.toml`` is
never touched.
"""

from __future__ import annotations

import json

from synth_ai.cli.launch import KEY_ENV, client_command, launch

SUBCOMMANDS = frozenset({"exec", "e", "resume", "review", "fork"})


def codex_overrides(base_url: str, session_id: str) -> list[str]:
    """The ``-c`` flags that point Codex at the bridge for this run only."""
    name, url, env_key, session = (
        json.dumps(value) for value in ("synth-ai", f"{base_url}/api/v1", KEY_ENV, session_id)
    )
    provider = (
        f'{{name={name}, base_url={url}, env_key={env_key}, wire_api="responses", '
        f'http_headers={{"X-Session-ID"={session}}}}}'
    )
    return ["-c", f"model_providers.synth={provider}", "-c", 'model_provider="synth"']


def codex_argv(
    binary: str, base_url: str, session_id: str, model: str, args: tuple[str, ...]
) -> list[str]:
    """Overrides go after a subcommand (``exec``…) so they apply to it, else before the prompt."""
    flags = [*codex_overrides(base_url, session_id), "-m", model]
    if args and args[0] in SUBCOMMANDS:
        return [binary, args[0], *flags, *args[1:]]
    return [binary, *flags, *args]


@client_command("codex")
def codex(obj, model, config_path, client_args):
    """Run Codex against the synth-ai backend in a session with budget limits.

    Arguments after -- go to codex, e.g. 'synth-ai codex -- exec "fix the tests"'.
    """
    launch(
        obj,
        name="codex",
        env_var="SYNTH_AI_CODEX_BIN",
        install="npm install -g @openai/codex",
        config_path=config_path,
        build=lambda binary, url, session_id, _private: (
            codex_argv(binary, url, session_id, model, client_args),
            {},
        ),
    )
