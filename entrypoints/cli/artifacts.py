"""``synth-ai artifacts``: list, show, export and download models and optimised prompts.

Every command talks to the ``ArtifactCatalog`` port: the local SQLite store with no
configuration, or a running ``synth-ai serve`` when ``--base-url`` / ``SYNTH_BACKEND_URL`` is
set. Heavy libraries (rich, httpx, huggingface_hub, yaml) are imported inside commands.
"""

from __future__ import annotations

import click
from synth_ai.cli.output import echo_json, format_option


def catalog_of(obj):
    """The catalog this CLI invocation uses (remote backend, or the local store)."""
    from synth_ai.artifacts_sdk import open_catalog
    from synth_ai.cli.output import Waiting

    catalog = open_catalog(obj.settings, obj.container)
    return Waiting(catalog, f"Waiting for {obj.settings.backend_url}…") if obj.remote else catalog


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
    from synth_ai.artifact_payloads import listing_to_wire

    wire = listing_to_wire(catalog_of(obj).list_artifacts(kind=kind, status=status, limit=limit))
    if fmt == "json":
        echo_json(wire)
        return
    from synth_ai.cli.artifact_views import listing_table
    from synth_ai.cli.output import console

    console().print(listing_table(wire))


def resolve(catalog, raw: str) -> tuple[str, dict]:
    """``("model"|"prompt", wire dict)`` for an id; ids of unknown form try models, then prompts."""
    from synth_ai.artifact_payloads import prompt_detail
    from synth_ai.domain.artifacts.model import ArtifactId, InvalidArtifactId
    from synth_ai.domain.errors import InvalidInput, NotFound

    try:
        parsed = ArtifactId.parse(raw)
    except InvalidArtifactId as bad:
        for kind, fetch in (
            ("model", lambda: catalog.get_model(raw).to_dict()),
            ("prompt", lambda: prompt_detail(catalog, raw)),
        ):
            try:
                return kind, fetch()
            except (NotFound, InvalidInput):
                continue
        raise bad from None
    if parsed.is_model:
        return "model", catalog.get_model(str(parsed)).to_dict()
    return "prompt", prompt_detail(catalog, str(parsed))


@artifacts.command("show")
@click.argument("artifact_id")
@click.option("--verbose", "-v", is_flag=True, help="Add full metadata and the best snapshot.")
@format_option
@click.pass_obj
def show(obj, artifact_id, verbose, fmt):
    """Show a model, or a prompt job with its best optimised prompt."""
    kind, detail = resolve(catalog_of(obj), artifact_id)
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
    from synth_ai.artifact_payloads import ModelIn

    meta = _json_object(metadata, "--metadata")
    model = ModelIn(model_id, status, weights, meta).to_model(obj.container.clock())
    stored = catalog_of(obj).register_model(model)
    if fmt == "json":
        echo_json(stored.to_dict())
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
    from synth_ai.artifact_payloads import PromptJobIn, prompt_detail, register_prompt_job
    from synth_ai.domain.errors import ValidationFailed
    from synth_ai.http.payload import structure

    data = _read_document(path)
    try:
        body = structure(data, PromptJobIn)
    except ValidationFailed as exc:
        name = "<stdin>" if path == "-" else path
        raise ValidationFailed(
            f"{name}: {exc.message.removeprefix('invalid request: ')}", param=exc.param
        ) from None
    catalog = catalog_of(obj)
    job = register_prompt_job(catalog, body, obj.container.clock(), obj.container.ids())
    if fmt == "json":
        echo_json(prompt_detail(catalog, job.job_id))
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
