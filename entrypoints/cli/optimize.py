"""``synth-ai optimize CONFIG.toml``: run a GEPA or MIPRO job in the foreground.

Progress is shown live (rollouts / budget, candidates, best validation score, spend, ETA);
Ctrl-C stops the job cleanly at the next rollout boundary, records the best prompt so far and
exits 130. Running the same config again resumes an unfinished job (``--fresh`` starts over).
"""

from __future__ import annotations

import signal
from pathlib import Path

import click


def _read_toml(path: Path) -> dict:
    import tomllib

    from synth_ai.domain.optimisation.errors import InvalidOptimisationConfig

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidOptimisationConfig(f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidOptimisationConfig(f"{path} is not valid TOML: {exc}") from exc


def _progress_line(fields: dict) -> str:
    best = fields.get("best_score")
    eta = fields.get("eta_s")
    return (
        f"rollouts {fields.get('done', 0)}/{fields.get('total', '?')}  "
        f"candidates {fields.get('candidates', 0)}  "
        f"best {'-' if best is None else f'{best:.3f}'}  "
        f"spend ${fields.get('spend_usd') or 0:.4f}  "
        f"eta {'-' if eta is None else f'{eta:.0f}s'}"
    )


@click.command("optimize")
@click.argument("config_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Variables for the job (ENVIRONMENT_API_KEY …); os.environ is not changed.",
)
@click.option("--fresh", is_flag=True, help="Start over instead of resuming an unfinished job.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format of the final summary.",
)
@click.pass_obj
def optimize(obj, config_path, env_file, fresh, fmt):
    """Optimise a prompt against a task app (GEPA or MIPRO, from CONFIG.toml)."""
    from synth_ai.adapters.local_files.env_file import parse_env_file
    from synth_ai.cli.output import console, echo_json
    from synth_ai.optimise.local_context import LocalJobContext
    from synth_ai.optimise.runners import OptimisationRunner

    document = _read_toml(config_path)
    algorithm = (document.get("prompt_learning") or {}).get("algorithm")
    runner = OptimisationRunner(str(algorithm), obj.settings)
    runner.validate(document, config_path)  # one-line error naming the key and the file
    env = parse_env_file(env_file) if env_file else {}
    err = console(stderr=True)
    status = err.status("starting…")
    status.start()
    ctx = LocalJobContext(
        config=document,
        config_path=config_path,
        home=obj.settings.home,
        env=env,
        fresh=fresh,
        on_progress=lambda fields: status.update(_progress_line(fields)),
        on_log=lambda line: err.print(f"[dim]{line}[/dim]"),
    )

    def on_interrupt(*_) -> None:
        if ctx.cancelled():  # a second Ctrl-C: stop now, the checkpoint keeps what was done
            raise KeyboardInterrupt
        err.print("[yellow]canceling at the next rollout (Ctrl-C again to stop now)…[/yellow]")
        ctx.cancel()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        outcome = runner.run(ctx)
    finally:
        status.stop()
        signal.signal(signal.SIGINT, previous)
    ctx.finish(outcome)
    result = dict(outcome.result)
    if fmt == "json":
        echo_json({"status": outcome.status, "reason": outcome.reason, **result})
    else:
        _print_summary(console(), outcome, result)
    if outcome.reason == "canceled":
        raise SystemExit(130)
    if outcome.status != "completed":
        raise click.ClickException(outcome.reason or "the job failed")


def _print_summary(out, outcome, result: dict) -> None:
    reason = f" ({outcome.reason})" if outcome.reason else ""
    out.print(f"[bold]{outcome.status}[/bold]{reason}")
    artifact = result.get("artifact_id")
    if artifact:
        out.print(f"prompt job: {artifact}  (synth-ai artifacts show {artifact})")
    baseline, best = result.get("baseline_score"), result.get("best_score")
    if best is not None:
        out.print(f"validation score: baseline {baseline:.3f} → best {best:.3f}")
    out.print(
        f"rollouts: {result.get('rollouts', 0)} "
        f"({result.get('rollouts_this_attempt', 0)} this run), "
        f"proposer calls: {result.get('proposer_calls', 0)}, "
        f"spend: ${result.get('spend_usd') or 0:.4f}"
    )
