"""``synth-ai artifacts``: list, show, export and download models and optimised prompts.

Every command calls one use case of ``ArtifactService`` over the ``ArtifactCatalog`` port: the
local SQLite store with no configuration, or a running ``synth-ai serve`` when ``--base-url`` /
``SYNTH_BACKEND_URL`` is set. JSON output uses the same wire converters as the HTTP routes.
Heavy libraries (rich, httpx, huggingface_hub, yaml) are imported inside commands.
"""

from __future__ import annotations

import click
from synth_ai.cli.output import echo_json, format_option


def artifacts_of(obj):
    """The artifact use cases this CLI invocation uses (remote backend, or the local store)."""
    from synth_ai.artifacts_sdk import open_artifacts
    from synth_ai.cli.output import Waiting

    artifacts = open_artifacts(obj.settings, obj.container)
    return (
        Waiting(artifacts, f"Waiting for {obj.settings.backend_url}…") if obj.remote else artifacts
    )


@click.group("artifacts")
def artifacts():
    """List, show, export and download models and optimised prompts."""


@artifacts.command("list")
@click.option(
    "--type",
    "kind",
    type=click.Choice(["models", "prompts", "all"]),
    default="all",
    show_default=True,
)
@click.option(
    "--status",
    type=click.Choice(["queued", "running", "succeeded", "failed", "canceled"]),
    default=None,
)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@format_option
@click.pass_obj
def list_artifacts(obj, kind, status, limit, fmt):
    """List models and prompt jobs, newest first."""
    from synth_ai.adapters.wire import artifacts as wire

    document = wire.listing(artifacts_of(obj).list(kind=kind, status=status, limit=limit))
    if fmt == "json":
        echo_json(document)
        return
    from synth_ai.cli.artifact_views import listing_table
    from synth_ai.cli.output import console

    console().print(listing_table(document))


def resolve(artifacts, raw: str) -> tuple[str, dict]:
    """``("model"|"prompt", wire document)`` for an id (see ``ArtifactService.find``)."""
    from synth_ai.adapters.wire import artifacts as wire
    from synth_ai.domain.artifacts.model import ModelArtifact

    found = artifacts.find(raw)
    if isinstance(found, ModelArtifact):
        return "model", wire.model(found)
    return "prompt", wire.prompt_detail(found)


@artifacts.command("show")
@click.argument("artifact_id")
@click.option("--verbose", "-v", is_flag=True, help="Add full metadata and the best snapshot.")
@format_option
@click.pass_obj
def show(obj, artifact_id, verbose, fmt):
    """Show a model, or a prompt job with its best optimised prompt."""
    kind, detail = resolve(artifacts_of(obj), artifact_id)
    if fmt == "json":
        echo_json(detail)
        return
    from synth_ai.cli.artifact_views import model_views, prompt_views
    from synth_ai.cli.output import console

    out = console()
    for view in (model_views if kind == "model" else prompt_views)(detail, verbose):
        out.print(view)


@artifacts.command("register-model")
@click.argument("model_id")
@click.option(
    "--weights",
    "weights",
    type=click.Path(exists=True, file_okay=False, resolve_path=True),
    default=None,
    help="Folder with the weights (may hold merged/ and adapter/).",
)
@click.option(
    "--status",
    type=click.Choice(["queued", "running", "succeeded", "failed", "canceled"]),
    default="succeeded",
    show_default=True,
)
@click.option("--metadata", default=None, help="JSON object stored with the model.")
@format_option
@click.pass_obj
def register_model(obj, model_id, weights, status, metadata, fmt):
    """Register a trained model (ft:, rl: or peft: id) and where its weights live."""
    from synth_ai.adapters.wire import artifacts as wire
    from synth_ai.domain.artifacts.service import RegisterModel

    meta = _json_object(metadata, "--metadata")
    stored = artifacts_of(obj).register_model(RegisterModel(model_id, status, weights, meta))
    if fmt == "json":
        echo_json(wire.model(stored))
    else:
        click.echo(
            f"Registered {stored.id} ({stored.status}){' with weights at ' + weights if weights else ''}"
        )


@artifacts.command("register-prompt")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@format_option
@click.pass_obj
def register_prompt(obj, path, fmt):
    """Register a prompt job and its snapshots from a JSON or YAML file ('-' for stdin)."""
    from synth_ai.adapters.wire import artifacts as wire
    from synth_ai.domain.artifacts.service import RegisterPromptJob
    from synth_ai.domain.errors import ValidationFailed

    try:
        body = wire.read(_read_document(path), RegisterPromptJob)
    except ValidationFailed as exc:
        name = "<stdin>" if path == "-" else path
        raise ValidationFailed(
            f"{name}: {exc.message.removeprefix('invalid request: ')}", param=exc.param
        ) from None
    artifacts = artifacts_of(obj)
    job = artifacts.register_prompt_job(body)
    if fmt == "json":
        echo_json(wire.prompt_detail(artifacts.prompt(job.job_id)))
    else:
        click.echo(
            f"Registered {job.job_id} ({job.status}, {len(body.snapshots)} snapshots, "
            f"best score {job.best_score if job.best_score is not None else '-'})"
        )


def _json_object(text: str | None, name: str) -> dict:
    import re

    from synth_ai.cli.files import parse_document
    from synth_ai.domain.errors import InvalidInput

    if not text:
        return {}
    try:
        return parse_document(text, name, example="'{\"epochs\": 3}'")
    except InvalidInput as exc:
        detail = re.sub(r"^:(\d+):(\d+): ", r"line \1, column \2: ", exc.message[len(name) :])
        raise click.BadParameter(detail.lstrip(), param_hint=name) from None


def _read_document(path: str):
    from synth_ai.cli.files import read_document

    return read_document(path, example='{"job_id": "pl_…", "snapshots": […]}')


from synth_ai.cli.artifact_files import download, export  # noqa: E402  (register the sub-commands)

artifacts.add_command(download)
artifacts.add_command(export)
