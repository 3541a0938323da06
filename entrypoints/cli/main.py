"""``synth-ai``: the root group. Sub-commands load on first use so ``--help`` stays fast.

``COMMANDS`` maps a name to ``module:attribute`` and a one-line help shown by ``--help``
without importing the module. Expected errors (``SynthError``) print one line and exit 1.
"""

from __future__ import annotations

import importlib
import sys

import click
from synth_ai import __version__
from synth_ai.cli.options import PositiveFloat

COMMANDS: dict[str, tuple[str, str]] = {
    "deploy": (
        "synth_ai.cli.deploy:deploy",
        "Run a task app locally or through a tunnel; list and stop.",
    ),
    "scan": (
        "synth_ai.cli.scan:scan",
        "Find running task apps and check their health.",
    ),
    "serve": ("synth_ai.cli.serve:serve", "Run the backend (Falcon on Waitress)."),
    "session": (
        "synth_ai.cli.session:session",
        "Sessions with budgets: start, show, list, end, increase.",
    ),
    "artifacts": (
        "synth_ai.cli.artifacts:artifacts",
        "List, show, export and download models and prompts.",
    ),
    "codex": (
        "synth_ai.cli.codex:codex",
        "Run the Codex CLI on the Responses bridge in a budgeted session.",
    ),
    "opencode": (
        "synth_ai.cli.opencode:opencode",
        "Run opencode on the Responses bridge in a budgeted session.",
    ),
    "optimize": (
        "synth_ai.cli.optimize:optimize",
        "Optimise a prompt against a task app (GEPA or MIPRO) in the foreground.",
    ),
    "queue": ("synth_ai.cli.queue:queue", "Start, stop and list experiment queue workers."),
    "experiment": (
        "synth_ai.cli.experiment:experiment",
        "Submit, run, watch and cancel experiments (batches of jobs).",
    ),
    "db": ("synth_ai.cli.db:db", "The PostgreSQL store's schema: migrate, status."),
    "ui": ("synth_ai.cli.ui:ui", "Print the dashboard's URL with a short-lived sign-in token."),
}


class CliContext:
    """Global options, and lazily the settings and container built from them."""

    def __init__(self, base_url: str | None, api_key: str | None, timeout: float | None):
        self._base_url = base_url
        self._api_key = api_key
        self._timeout = timeout
        self._settings = None
        self._container = None

    @property
    def settings(self):
        if self._settings is None:
            from synth_ai.settings.config import load_settings

            settings = load_settings()
            if self._base_url:
                settings.backend_url = self._base_url
            if self._api_key:
                settings.client_api_key = self._api_key
            if self._timeout is not None:
                settings.timeout = self._timeout
            self._settings = settings
        return self._settings

    @property
    def container(self):
        if self._container is None:
            from synth_ai.container import create_container

            self._container = create_container(self.settings)
        return self._container

    @property
    def remote(self) -> bool:
        return bool(self.settings.backend_url)

    def backend(self):
        """An HTTP client to the configured backend (``--base-url`` / ``SYNTH_BACKEND_URL``)."""
        from synth_ai.adapters.backend_http import BackendClient
        from synth_ai.cli.output import Waiting

        settings = self.settings
        url = settings.backend_url or f"http://{settings.host}:{settings.port}"
        client = BackendClient(url, settings.api_key, timeout=settings.timeout)
        return Waiting(client, f"Waiting for {url}…")


class LazyGroup(click.Group):
    def __init__(self, *args, lazy: dict[str, tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx, name):
        if name in self.lazy:
            target, _ = self.lazy[name]
            module_name, _, attr = target.partition(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter):
        rows = [(name, self.lazy[name][1]) for name in sorted(self.lazy)]
        rows += [(name, cmd.get_short_help_str()) for name, cmd in sorted(self.commands.items())]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))

    def resolve_command(self, ctx, args):
        """Unknown commands get the closest known names ("Did you mean 'session'?")."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=3, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx):
        from synth_ai.domain.errors import SynthError

        try:
            return super().invoke(ctx)
        except SynthError as exc:
            raise click.ClickException(exc.message) from exc


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="synth-ai")
@click.option(
    "--base-url",
    envvar="SYNTH_BACKEND_URL",
    default=None,
    help="Backend URL (a running 'synth-ai serve'); default: the local store.",
)
@click.option(
    "--api-key",
    envvar="SYNTH_API_KEY",
    default=None,
    help="API key for the backend. On the command line it shows in 'ps' to every user of the "
    "machine: prefer SYNTH_API_KEY or --api-key-file.",
)
@click.option(
    "--api-key-file",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="Read the API key from this file ('-' for stdin), so it never appears in 'ps'.",
)
@click.option(
    "--timeout",
    type=PositiveFloat(example="30"),
    default=None,
    help="HTTP timeout in seconds, > 0 (default 30).",
)
@click.pass_context
def cli(ctx, base_url, api_key, api_key_file, timeout):
    """synth-ai: optimise LLM prompts and policies against task apps."""
    if api_key_file is not None:
        api_key = _read_key(api_key_file)
    ctx.obj = CliContext(base_url, api_key, timeout)


def _read_key(path: str) -> str:
    """The first line of ``path`` (or stdin), or a usage error saying what is wrong with it."""
    try:
        with click.open_file(path, encoding="utf-8") as handle:
            key = handle.readline().strip()
    except OSError as exc:
        raise click.BadParameter(
            f"cannot read {path}: {exc.strerror or exc}", param_hint="--api-key-file"
        ) from exc
    if not key:
        raise click.BadParameter(f"{path} holds no key", param_hint="--api-key-file")
    return key


def main() -> None:
    """Exit codes (docs/cli/README.md): 0 done, 1 expected failure, 2 usage error,
    130 interrupted (Ctrl-C), never a traceback for an expected error."""
    try:
        code = cli.main(prog_name="synth-ai", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("\nInterrupted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # stdout closed early (e.g. '| head'): not an error of ours; keep Python quiet at exit
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
