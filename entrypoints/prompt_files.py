"""Prompt files: what ``synth-ai artifacts download`` writes and the dashboard's download buttons
serve (``GET /api/artifacts/prompts/{job_id}/download``), rendered in one place.
"""

from __future__ import annotations

import json

EXTENSIONS = {"json": "json", "yaml": "yaml", "text": "txt"}
MEDIA_TYPES = {
    "json": "application/json",
    "yaml": "application/yaml; charset=utf-8",
    "text": "text/plain; charset=utf-8",
}


def prompt_document(job, snapshots: list) -> dict:
    """What ``download`` writes: one snapshot with its messages, or every snapshot."""
    from synth_ai.adapters.wire import artifacts as wire
    from synth_ai.domain.artifacts.prompts import best_prompt

    def one(snapshot) -> dict:
        return {
            "job_id": job.job_id,
            "snapshot_id": snapshot.snapshot_id,
            "score": snapshot.score,
            "validation_score": snapshot.validation_score,
            "is_best": snapshot.snapshot_id == job.best_snapshot_id,
            "messages": wire.messages(best_prompt(snapshot.payload)),
            "snapshot": snapshot.payload,
        }

    if len(snapshots) == 1:
        return one(snapshots[0])
    return {
        "job_id": job.job_id,
        "best_snapshot_id": job.best_snapshot_id,
        "best_score": job.best_score,
        "snapshots": [one(s) for s in snapshots],
    }


def render(document: dict, fmt: str) -> str:
    if fmt == "json":
        from synth_ai.cli.output import json_text

        return json_text(document) + "\n"
    if fmt == "yaml":
        return _yaml(document)
    from synth_ai.domain.artifacts.prompts import PromptMessage, render_text

    parts = []
    for item in document.get("snapshots", [document]):
        score = "-" if item["score"] is None else f"{item['score']:.4f}"
        title = f"{item['job_id']} / {item['snapshot_id']} (score {score}{', best' if item['is_best'] else ''})"
        text = render_text(
            [PromptMessage(m["role"], m["content"]) for m in item["messages"]], title=title
        )
        if not item["messages"]:  # a shape we cannot read: keep the payload rather than lose it
            text += json.dumps(item["snapshot"], indent=2, default=str) + "\n"
        parts.append(text)
    return "\n".join(parts)


def _yaml(document: dict) -> str:
    """YAML in which multi-line text (prompts) is a ``|`` block scalar, readable as written."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value: str):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return yaml.dump(document, Dumper=Dumper, sort_keys=False, allow_unicode=True)
