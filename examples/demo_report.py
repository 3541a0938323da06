"""What ``scripts/demo`` prints at the end: each job's scores, prompts, spend and artifact."""

from __future__ import annotations

from pathlib import Path


def say(line: str = "") -> None:
    print(line, flush=True)


def prompt_text(messages: list[dict]) -> list[str]:
    lines = []
    for m in messages:
        text = " ".join(str(m.get("content") or m.get("pattern") or "").split())
        lines.append(f"{m.get('role')}: {text}")
    return lines


def summarise(kind: str, job, artifact: dict, initial_prompt: list[dict]) -> dict:
    meta = artifact.get("metadata") or {}
    best = meta.get("best_snapshot") or {}
    totals = meta.get("totals") or {}
    best_messages = best.get("messages") if isinstance(best, dict) else None
    return {
        "kind": kind,
        "status": job.status,
        "reason": job.reason,
        "artifact_id": artifact.get("artifact_id") or artifact.get("id"),
        "baseline_score": meta.get("baseline_score"),
        "best_score": artifact.get("best_score"),
        "learning_curve": meta.get("learning_curve"),
        "spend_usd": totals.get("spend_usd"),
        "tokens": totals.get("tokens"),
        "rollouts": totals.get("rollouts"),
        "initial_messages": initial_prompt,
        "best_messages": best_messages,
    }


def print_summary(result: dict, home: Path) -> None:
    def score(value) -> str:
        return "n/a" if value is None else f"{float(value):.3f}"

    say()
    say(
        f"=== {result['kind']}: {result['status']}"
        + (f" ({result['reason']})" if result["reason"] else "")
    )
    say(f"  baseline validation score: {score(result['baseline_score'])}")
    say(f"  best validation score:     {score(result['best_score'])}")
    if result["learning_curve"]:
        curve = ", ".join(f"{r}:{float(s):.2f}" for r, s in result["learning_curve"])
        say(f"  learning curve (rollouts:best): {curve}")
    spend = result["spend_usd"]
    say(
        f"  spend counted: ${float(spend or 0):.4f}, {result['tokens'] or 0} tokens, "
        f"{result['rollouts'] or 0} rollouts"
    )
    initial = prompt_text(result["initial_messages"])
    best = prompt_text(result["best_messages"] or [])
    width = max([len(line) for line in initial] + [20])
    width = min(width, 70)
    say(f"  {'initial prompt':{width}} | best prompt")
    for i in range(max(len(initial), len(best))):
        left = initial[i] if i < len(initial) else ""
        right = best[i] if i < len(best) else ""
        say(f"  {left[:width]:{width}} | {right}")
    artifact = result["artifact_id"]
    say(f"  artifact: {artifact}")
    say(f"    SYNTH_AI_HOME={home} .venv/bin/synth-ai artifacts show {artifact}")
    say(f"    SYNTH_AI_HOME={home} .venv/bin/synth-ai artifacts download {artifact} --format yaml")
