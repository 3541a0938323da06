"""README command 1: a real prompt optimisation, end to end, on this machine (``scripts/demo``).

Starts the backend (``synth-ai serve``, embedded SQLite, the local model unless
``SYNTH_AI_UPSTREAM_URL`` names an OpenAI-compatible upstream) in a subprocess, hosts
``examples/sentiment_task_app.py`` in this process, runs an experiment with a MIPRO job (and a
a GEPA job; ``--mipro-only`` leaves it out) through the queue's in-memory transport with live progress, prints what
the search found, and stops everything it started.

    .venv/bin/python examples/demo.py [--reduced] [--mipro-only] [--threads N] [--keep-home]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
sys.path.insert(0, str(EXAMPLES))

from demo_report import print_summary, summarise  # noqa: E402

TASK_APP = EXAMPLES / "sentiment_task_app.py"
INSTRUCTION = (
    "Classify the sentiment of the review as positive, negative or neutral. Answer with one word."
)
# The starting prompt carries two demonstrations (user/assistant turns). Without any, the
# packaged 270M base model never answers with a label (0/10, docs/local-model.md); with these
# three it answers, but confuses the labels — which demonstrations, in which order, matters.
INITIAL_DEMOS = [
    ("The service was quick and the staff were lovely.", "positive"),
    ("The package arrived damaged and late.", "negative"),
    ("The lamp is made of metal and glass.", "neutral"),
]


def say(line: str = "") -> None:
    print(line, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def initial_messages() -> list[dict]:
    messages = [{"role": "system", "pattern": INSTRUCTION}]
    for text, label in INITIAL_DEMOS:
        messages += [
            {"role": "user", "pattern": text},
            {"role": "assistant", "pattern": label},
        ]
    return messages


def job_configs(task_app_url: str, task_key: str, model: str, reduced: bool) -> dict[str, dict]:
    """The ``[prompt_learning]`` documents of the experiment's jobs.

    On the local model the proposer (the same 270M model) gets a few dozen tokens: more only
    costs time, its proposals are weak either way. A hosted model gets room for a real one.
    """
    local = model == "local"
    proposer_tokens = (24 if reduced else 48) if local else 512
    train = list(range(0, 6 if reduced else 10))
    validation = list(range(10, 16 if reduced else 25))
    common = {
        "task_app_url": task_app_url,
        "task_app_api_key": task_key,
        "task_app_id": "sentiment",
        "max_spend_usd": 1.0,
        "max_tokens": 200_000 if reduced else 2_000_000,
        "seed": 0,
        "initial_prompt": {"messages": initial_messages()},
        "policy": {"model": model, "temperature": 0.0, "max_completion_tokens": 4},
    }
    mipro = {
        **common,
        "algorithm": "mipro",
        "mipro": {
            "num_iterations": 3 if reduced else 12,
            "batch_size": 0,
            "max_concurrent": 4,
            "budget": 80 if reduced else 300,
            "seeds": train,
            "validation_seeds": validation,
            "num_instructions": 1 if reduced else 2,
            "meta_temperature": 0.7,
            "meta_max_completion_tokens": proposer_tokens,
            "max_demos": 3,
            "num_demo_sets": 3 if reduced else 8,
            "few_shot_score_threshold": 1.0,
            "perfect_score": 1.0,
            "tpe": {"n_startup_trials": 3 if reduced else 4, "n_ei_candidates": 24},
        },
    }
    gepa = {
        **common,
        "algorithm": "gepa",
        "gepa": {
            "candidate_selection": "pareto",
            "perfect_score": 1.0,
            "rollout": {
                "budget": 24 if reduced else 120,
                "max_concurrent": 4,
                "minibatch_size": 3,
            },
            "evaluation": {"seeds": train, "validation_seeds": validation},
            "proposer": {"temperature": 0.7, "max_completion_tokens": proposer_tokens},
        },
    }
    return {"mipro": mipro, "gepa": gepa}


class Backend:
    """``synth-ai serve`` in a subprocess, on a free port, in the demo's home."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.lines: list[str] = []

    def start(self, timeout: float = 300.0) -> None:
        exe = Path(sys.executable).with_name("synth-ai")
        argv = [str(exe)] if exe.exists() else [sys.executable, "-m", "synth_ai"]
        self.process = subprocess.Popen(
            [*argv, "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        ready = threading.Event()

        def pump() -> None:
            for line in self.process.stdout:
                self.lines.append(line.rstrip())
                if "Press Ctrl+C" in line:
                    ready.set()
            ready.set()

        threading.Thread(target=pump, name="backend-output", daemon=True).start()
        started = time.monotonic()
        while not ready.wait(0.2):
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"the backend did not start within {timeout:.0f} s")
        if self.process.poll() is not None:
            tail = "\n".join(self.lines[-5:])
            raise RuntimeError(f"the backend exited with code {self.process.returncode}: {tail}")

    def upstream_line(self) -> str:
        found = [line.strip() for line in self.lines if line.strip().startswith("upstream:")]
        return found[0] if found else "upstream: (not reported)"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def demo_env(home: Path, threads: int) -> tuple[dict[str, str], str]:
    """The environment of the backend and the jobs, and the policy model's name."""
    env = dict(os.environ)
    env["SYNTH_AI_HOME"] = str(home)
    env.setdefault("SYNTH_API_KEY", "sk-synth-demo-" + secrets.token_hex(12))
    env.pop("SYNTH_BACKEND_URL", None)
    if env.get("SYNTH_AI_UPSTREAM_URL"):
        model = env.get("SYNTH_AI_DEMO_MODEL", "gpt-4.1-mini")
        env.setdefault("SYNTH_AI_UPSTREAM_PROVIDER", "openai")
    else:
        model = "local"  # priced at $0: the session counts tokens, no cost
        env["SYNTH_AI_UPSTREAM_PROVIDER"] = "local"
        env.setdefault("SYNTH_AI_LOCAL_THREADS", str(threads))
    return env, model


def progress_line(kind: str, job, started: float) -> str:
    progress = dict(job.progress or {})
    done, total = progress.get("done"), progress.get("total")
    best = progress.get("best_score")
    parts = [f"  [{time.monotonic() - started:5.0f}s] {kind:5s} {job.status:9s}"]
    if done is not None:
        parts.append(f"rollouts {done}/{total}" if total else f"rollouts {done}")
    if progress.get("candidates") is not None:
        parts.append(f"candidates {progress['candidates']}")
    if best is not None:
        parts.append(f"best validation {float(best):.3f}")
    if progress.get("spend_usd") is not None:
        parts.append(f"spend ${float(progress['spend_usd']):.4f}")
    return "  ".join(parts)


def run_experiment(env: dict[str, str], experiment_file: Path, kinds: list[str]):
    """Submit and work the experiment in this process (Kombu's memory transport), live progress."""
    from dependency_injector import providers
    from synth_ai.adapters.wire.experiments import parse_request
    from synth_ai.cli.experiment import _local_org
    from synth_ai.cli.experiment_run import MEMORY_BROKER, build_worker
    from synth_ai.container import create_container
    from synth_ai.domain.experiments.model import TERMINAL
    from synth_ai.settings.config import load_settings

    settings = load_settings(env)
    container = create_container(settings)
    config = container.queue_settings().with_broker(MEMORY_BROKER)
    container.queue_settings.override(providers.Object(config))
    experiments = container.experiments()
    org_id = _local_org(settings)
    request = parse_request(json.loads(experiment_file.read_text()), source=str(experiment_file))
    view = experiments.submit(
        request,
        org_id=org_id,
        base_dir=experiment_file.parent,
        source=str(experiment_file),
    )
    experiment_id = view.experiment.experiment_id
    say(f"==> experiment {experiment_id}: {', '.join(kinds)} on the in-memory queue")
    worker = build_worker(container, concurrency=1, broker=MEMORY_BROKER, log=lambda line: None)
    thread = threading.Thread(target=worker.run, name="worker", daemon=True)
    thread.start()
    started, shown = time.monotonic(), {}
    try:
        while True:
            view = experiments.status(experiment_id, org_id=org_id)
            for job in view.jobs:
                line = progress_line(job.job_type, job, started)
                key = line.split("]", 1)[1]
                if shown.get(job.job_id) != key:
                    shown[job.job_id] = key
                    say(line)
            if view.experiment.status in TERMINAL:
                break
            if not thread.is_alive():
                raise RuntimeError("the in-process worker stopped unexpectedly")
            time.sleep(0.5)
    except KeyboardInterrupt:
        experiments.cancel(experiment_id, org_id=org_id)
        worker.stop(now=True)
        thread.join(timeout=30)
        raise
    finally:
        worker.stop()
        thread.join(timeout=30)
        container.shutdown_resources()
    return view


def show_artifact(env: dict[str, str], artifact_id: str) -> dict:
    exe = Path(sys.executable).with_name("synth-ai")
    argv = [str(exe)] if exe.exists() else [sys.executable, "-m", "synth_ai"]
    done = subprocess.run(
        [*argv, "artifacts", "show", artifact_id, "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"artifacts show {artifact_id} failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reduced", action="store_true", help="fewer seeds and trials (tests)")
    parser.add_argument("--mipro-only", action="store_true", help="leave out the GEPA job")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--summary-json", default=None, help="also write the results here")
    args = parser.parse_args(argv)

    given_home = os.environ.get("SYNTH_AI_HOME")
    home = Path(given_home) if given_home else Path(tempfile.mkdtemp(prefix="synth-ai-demo-"))
    home.mkdir(parents=True, exist_ok=True)
    env, model = demo_env(home, args.threads)
    os.environ.update({"SYNTH_AI_HOME": str(home)})
    kinds = ["mipro"] if args.mipro_only else ["mipro", "gepa"]
    started = time.monotonic()
    task_key = "sk-env-demo-" + secrets.token_hex(8)
    backend = Backend(env)
    say(f"==> home {home}" + ("" if given_home else " (temporary; SYNTH_AI_HOME chooses another)"))
    say("==> starting the backend (synth-ai serve, embedded SQLite store)")
    try:
        backend.start()
        say(f"    backend pid {backend.process.pid} on {backend.url}; {backend.upstream_line()}")
        from synth_ai.task_app.in_process import InProcessTaskApp

        with InProcessTaskApp(task_app_path=str(TASK_APP), api_key=task_key, port=0) as app:
            say(f"==> task app {TASK_APP.name} in this process (pid {os.getpid()}) on {app.url}")
            job_env = {**env, "SYNTH_BACKEND_URL": backend.url}
            experiment_file = write_experiment(home, app.url, task_key, model, args.reduced, kinds)
            view = run_experiment(job_env, experiment_file, kinds)
            results = []
            for job in view.jobs:
                artifact_id = (job.result or {}).get("artifact_id")
                if not artifact_id:
                    say(f"=== {job.job_type}: {job.status} ({job.reason or 'no artifact'})")
                    continue
                artifact = show_artifact(job_env, artifact_id)
                result = summarise(job.job_type, job, artifact, initial_messages())
                results.append(result)
                print_summary(result, home)
    finally:
        backend.stop()
        if backend.process is not None:
            say(f"==> stopped the backend (pid {backend.process.pid}) and the task app")
    wall = time.monotonic() - started
    say(f"==> done in {wall:.0f} s")
    if args.summary_json:
        Path(args.summary_json).write_text(
            json.dumps(
                {
                    "wall_s": round(wall, 1),
                    "home": str(home),
                    "backend_pid": backend.process.pid if backend.process else None,
                    "results": results,
                }
            )
        )
    return 0 if results and all(r["status"] == "completed" for r in results) else 1


def write_experiment(
    home: Path,
    task_app_url: str,
    task_key: str,
    model: str,
    reduced: bool,
    kinds: list[str],
) -> Path:
    import tomlkit

    folder = home / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    configs = job_configs(task_app_url, task_key, model, reduced)
    jobs = []
    for kind in kinds:
        path = folder / f"{kind}.toml"
        path.write_text(tomlkit.dumps({"prompt_learning": configs[kind]}))
        jobs.append({"job_type": kind, "config_path": path.name})
    experiment = {
        "name": "demo: sentiment prompt optimisation",
        "description": "scripts/demo — three-label sentiment on the local model",
        "parallelism": 1,
        "jobs": jobs,
    }
    path = folder / "experiment.json"
    path.write_text(json.dumps(experiment, indent=2))
    return path


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except RuntimeError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        sys.exit(1)
