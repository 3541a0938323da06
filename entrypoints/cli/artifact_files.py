"""``synth-ai artifacts download`` (prompts to files) and ``export`` (models to the Hub)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from synth_ai.prompt_files import EXTENSIONS, prompt_document, render


@click.command("download")
@click.argument("job_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EXTENSIONS)),
    default="json",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    default=None,
    help="File or existing directory to write ('-' for stdout); default ./prompts/{job_id}/best.{ext}.",
)
@click.option("--snapshot-id", default=None, help="A specific snapshot instead of the best one.")
@click.option("--all-snapshots", is_flag=True, help="Every snapshot of the job, oldest first.")
@click.pass_obj
def download(obj, job_id, fmt, output, snapshot_id, all_snapshots):
    """Download a prompt job's best (or chosen, or every) optimised prompt."""
    from synth_ai.cli.artifacts import artifacts_of

    job, snapshots, name = artifacts_of(obj).snapshots_to_download(
        job_id, snapshot_id=snapshot_id, every=all_snapshots
    )
    text = render(prompt_document(job, snapshots), fmt)
    if output == "-":
        sys.stdout.write(text)
        return
    from synth_ai.cli.files import plain_name, write_text

    folder = Path(output) if output else Path("prompts")
    file_name = f"{plain_name(name, '--snapshot-id', folder)}.{EXTENSIONS[fmt]}"
    if not output:  # a job id from a backend is a name, never a path
        target = folder / plain_name(job.job_id, "the job id", folder) / file_name
    elif Path(output).is_dir() or output.endswith(("/", os.sep)):
        target = Path(output) / file_name  # -o DIR: the default file name inside it
    else:
        target = Path(output)
    write_text(target, text)
    click.echo(f"Wrote {target}", err=True)


@click.command("export")
@click.argument("model_id")
@click.option("--repo-id", required=True, help="Hub repository, ORG/NAME.")
@click.option("--private/--public", default=True, show_default=True, help="Repository visibility.")
@click.option("--tags", default="", help="Comma-separated tags for the model card, e.g. a,b.")
@click.option(
    "--prefer-merged/--prefer-adapter",
    default=True,
    show_default=True,
    help="Upload merged/ weights or the adapter/ folder when both exist.",
)
@click.option("--hf-token", envvar="HF_TOKEN", default=None, help="Hub token (default: HF_TOKEN).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def export(obj, model_id, repo_id, private, tags, prefer_merged, hf_token, fmt):
    """Upload a model's files to the Hugging Face Hub (HF_ENDPOINT picks the Hub)."""
    from synth_ai.adapters.wire import artifacts as wire
    from synth_ai.cli.artifacts import artifacts_of
    from synth_ai.cli.output import console, echo_json, spinner
    from synth_ai.domain.artifacts.exports import ExportRequest, split_tags

    request = ExportRequest(model_id, repo_id, private, split_tags(tags), prefer_merged)
    artifacts = artifacts_of(obj)
    err = console(stderr=True)
    if obj.remote:
        with spinner(f"Exporting {model_id} to {repo_id} through {obj.settings.backend_url}…"):
            result = artifacts.catalog.export_to_hub(request, token=hf_token)
    else:
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

        # Shown from the first file on, so a failure before the upload starts (unknown model,
        # no weights, unreachable Hub, refused token) stays one line.
        bar = Progress(  # a progress bar on a terminal only, never in logs or pipes
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            console=err,
            disable=not err.is_terminal,
        )
        task = bar.add_task(f"Uploading to {repo_id}", total=None)

        def progress(done: int, total: int, name: str) -> None:
            if not bar.live.is_started:
                bar.start()
            bar.update(task, completed=done, total=total, description=f"Uploading {name}")

        try:
            result = artifacts.export(request, token=hf_token, progress=progress)
        finally:
            if bar.live.is_started:
                bar.stop()
    if fmt == "json":
        echo_json(wire.export_result(result))
        return
    visibility = "private" if result.private else "public"
    click.echo(
        f"Exported {result.model_id} ({result.variant} weights, {len(result.files)} files) "
        f"to {result.url} ({visibility})"
    )
