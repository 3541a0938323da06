"""Optimisation benchmarks: rollout throughput by ``max_concurrent``, and the interceptor's cost.

    python -m bench.bench_optimise [--model-ms 50] [--seconds 2] [--overhead-rollouts 200]
                                   [--store sqlite|redis] [--redis-url URL]

Four processes on 127.0.0.1, as in a deployment: ``synth-ai serve`` (SQLite store, metered
sessions), a scripted model (every call to model ``slow`` takes ``--model-ms``, to ``fast``
0 ms), the scripted arithmetic task app, and this process as the job's worker. Prints one JSON
line per measurement:

- ``rollouts_per_second`` at ``max_concurrent`` 1, 4 and 16: the job's own evaluation path
  (``Evaluator`` → one trial per batch on the backend → task app ``/rollout`` → interceptor →
  model), each level on a fresh candidate so nothing is replayed; the line for 16 carries
  ``ratio_to_1`` (goal ≥ 10).
- ``interceptor_overhead``: rollout latency (model ``fast``, one rollout at a time) with the
  task app calling the model directly versus through the interceptor (candidate substituted,
  metered in the job's session); goal ≤ 2 ms added per rollout. ``job_path_mean_ms`` adds the
  job's own bookkeeping (a trial opened and finished per batch of ``--batch`` rollouts)
  amortised per rollout.
- ``interceptor_breakdown``: one chat call from this process four ways — to the model, through
  the backend's chat route unmetered (``X-No-Session``) and metered, and through the
  interceptor — splitting the added time into the backend hop, metering, and the interceptor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth_ai.adapters.backend_http import BackendClient  # noqa: E402
from synth_ai.adapters.backend_http.optimisation import HttpJobSessions, HttpTrials  # noqa: E402
from synth_ai.domain.optimisation.candidate import Candidate  # noqa: E402
from synth_ai.domain.optimisation.evaluation import (  # noqa: E402
    Evaluator,
    Journal,
    PolicySettings,
)
from synth_ai.task_app.client import TaskAppClient  # noqa: E402

from tests.fakes.optimisation import TASK_KEY  # noqa: E402
from tests.support.serve_process import free_port  # noqa: E402

KEY = "sk-synth-bench-optimise"


def serve_role(role: str, model_ms: float) -> None:
    """Child process: start one server, print its URL, serve until stdin closes."""
    if role == "model":
        from tests.fakes.optimisation import start_model

        server, _ = start_model(delays={"slow": model_ms / 1000, "fast": 0.0})
        url = server.base_url
    else:
        from synth_ai.task_app.in_process import InProcessTaskApp

        from tests.fakes.optimisation import arithmetic_task_app

        server = InProcessTaskApp(
            config=arithmetic_task_app(400), api_key=TASK_KEY, port=0, threads=64
        )
        server.__enter__()
        url = server.url
    print(url, flush=True)
    sys.stdin.read()


class World:
    def __init__(self, home: Path, model_ms: float, store: str = "sqlite", redis_url: str = ""):
        def child(role: str) -> tuple[subprocess.Popen, str]:
            process = subprocess.Popen(
                [sys.executable, "-m", "bench.bench_optimise", "--role", role]
                + ["--model-ms", str(model_ms)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            return process, process.stdout.readline().strip()

        self.model, self.model_url = child("model")
        self.task_app, self.task_app_url = child("task-app")
        port = free_port()
        self.backend_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "SYNTH_AI_HOME": str(home),
            "SYNTH_API_KEY": KEY,
            "SYNTH_AI_UPSTREAM_URL": self.model_url,
            "SYNTH_AI_STORE": store,
        }
        if redis_url:
            env["SYNTH_AI_REDIS_URL"] = redis_url
        self.backend = subprocess.Popen(
            [sys.executable, "-m", "synth_ai", "serve", "--port", str(port), "--threads", "64"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = BackendClient(self.backend_url, KEY, timeout=120)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client.get("/health")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sessions = HttpJobSessions(self.client)
        self.session_id = self.sessions.open(
            session_id="opt_bench", max_spend_usd=1000.0, max_tokens=None
        )
        self.trials = HttpTrials(self.client)
        self.rollouts = TaskAppClient(self.task_app_url, TASK_KEY, timeout=120)

    def evaluator(self, max_concurrent: int, model: str) -> Evaluator:
        return Evaluator(
            rollouts=self.rollouts,
            trials=self.trials,
            session_id=self.session_id,
            policy=PolicySettings(model, 0.0, 16),
            journal=Journal(),
            budget=100_000,
            max_concurrent=max_concurrent,
            run_prefix="bench",
        )

    def close(self) -> None:
        self.rollouts.close()
        self.client.close()
        self.backend.terminate()
        self.backend.wait(10)
        for child in (self.model, self.task_app):
            child.stdin.close()
            child.wait(10)


def bench_throughput(world: World, model_ms: float, seconds: float) -> list[dict]:
    lines, per_second = [], {}
    for level in (1, 4, 16):
        # about ``seconds`` at the ideal rate, at least 4 rounds of the pool
        count = max(level * 4, int(seconds * level / max(model_ms / 1000, 0.001)))
        evaluator = world.evaluator(level, "slow")
        candidate = Candidate(f"Answer the question. (bench level {level})")
        started = time.perf_counter()
        results = evaluator.evaluate(candidate, list(range(count)))
        elapsed = time.perf_counter() - started
        evaluator.close()
        failed = [r for r in results if r.error]
        if failed:
            raise SystemExit(f"{len(failed)} rollouts failed: {failed[0].error}")
        per_second[level] = count / elapsed
        line = {
            "bench": "rollouts_per_second",
            "max_concurrent": level,
            "rollouts": count,
            "model_ms": model_ms,
            "rollouts_per_second": round(per_second[level], 2),
            "ideal_per_second": round(level / (model_ms / 1000), 2) if model_ms else None,
        }
        if level != 1:
            line["ratio_to_1"] = round(per_second[level] / per_second[1], 2)
        if level == 16:
            line["goal_ratio"] = 10
            line["meets_goal"] = line["ratio_to_1"] >= 10
        lines.append(line)
    return lines


def _ms(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples) * 1000, statistics.fmean(samples) * 1000


def _rollout(world: World, seed: int, inference_url: str) -> float:
    body = {
        "run_id": f"bench-{seed}",
        "env": {"seed": seed},
        "policy": {"config": {"model": "fast", "inference_url": inference_url}},
    }
    started = time.perf_counter()
    world.rollouts.rollout(body)
    return time.perf_counter() - started


def bench_overhead(world: World, rollouts: int, batch: int, store: str) -> dict:
    """One rollout at a time, model at 0 ms, three ways, interleaved round by round."""
    direct, hop, job = [], [], []
    evaluator = world.evaluator(1, "fast")
    prefix = Candidate("Answer the question.").prefix()
    for round_ in range(rollouts // batch):
        seeds = [(round_ * batch + k) % 400 for k in range(batch)]
        direct += [_rollout(world, seed, world.model_url) for seed in seeds]
        trial = world.trials.open(prefix=prefix, session_id=world.session_id)
        hop += [_rollout(world, s, world.trials.inference_url(trial, f"s{s}")) for s in seeds]
        world.trials.finish(trial)
        candidate = Candidate(f"Answer the question. (round {round_})")
        started = time.perf_counter()
        evaluator.evaluate(candidate, seeds)
        job.append((time.perf_counter() - started) / batch)
    evaluator.close()
    (d50, dmean), (h50, hmean), (_, jmean) = _ms(direct), _ms(hop), _ms(job)
    return {
        "bench": "interceptor_overhead",
        "store": store,
        "rollouts": len(direct),
        "batch": batch,
        "direct_p50_ms": round(d50, 3),
        "direct_mean_ms": round(dmean, 3),
        "interceptor_p50_ms": round(h50, 3),
        "interceptor_mean_ms": round(hmean, 3),
        "job_path_mean_ms": round(jmean, 3),
        "added_by_interceptor_p50_ms": round(h50 - d50, 3),
        "added_by_job_path_mean_ms": round(jmean - dmean, 3),
        "goal_added_ms": 2.0,
        "meets_goal": (h50 - d50) <= 2.0,
    }


def bench_breakdown(world: World, calls: int) -> dict:
    """Where the interceptor's time goes: one chat call four ways, from this process."""
    import httpx

    body = {"model": "fast", "messages": [{"role": "user", "content": "What is 1 + 2?"}]}
    auth = {"Authorization": f"Bearer {KEY}"}
    chat = f"{world.backend_url}/api/synth-research/chat/completions"
    trial = world.trials.open(prefix=Candidate("Answer.").prefix(), session_id=world.session_id)
    ways = {
        "model_direct": (f"{world.model_url}/chat/completions", {}),
        "chat_route_unmetered": (chat, {**auth, "X-No-Session": "true"}),
        "chat_route_metered": (chat, {**auth, "X-Session-ID": world.session_id}),
        "interceptor": (f"{world.trials.inference_url(trial, 's0')}/chat/completions", {}),
    }
    samples: dict[str, list[float]] = {name: [] for name in ways}
    with httpx.Client(timeout=30) as client:
        for _ in range(calls):
            for name, (url, headers) in ways.items():
                started = time.perf_counter()
                response = client.post(url, json=body, headers=headers)
                samples[name].append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {response.status_code} {response.text[:200]}")
    world.trials.finish(trial)
    p50 = {name: round(_ms(values)[0], 3) for name, values in samples.items()}
    return {
        "bench": "interceptor_breakdown",
        "calls": calls,
        **{f"{name}_p50_ms": value for name, value in p50.items()},
        "backend_hop_ms": round(p50["chat_route_unmetered"] - p50["model_direct"], 3),
        "metering_ms": round(p50["chat_route_metered"] - p50["chat_route_unmetered"], 3),
        "interceptor_itself_ms": round(p50["interceptor"] - p50["chat_route_metered"], 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_optimise")
    parser.add_argument("--model-ms", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=2.0, help="target length of each level")
    parser.add_argument("--overhead-rollouts", type=int, default=200)
    parser.add_argument("--batch", type=int, default=8, help="rollouts per trial (job path)")
    parser.add_argument("--store", choices=["sqlite", "redis"], default="sqlite")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--role", choices=["model", "task-app"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role:
        serve_role(args.role, args.model_ms)
        return 0
    with tempfile.TemporaryDirectory() as home:
        redis_url = args.redis_url if args.store == "redis" else ""
        world = World(Path(home), args.model_ms, args.store, redis_url)
        try:
            for line in bench_throughput(world, args.model_ms, args.seconds):
                print(json.dumps(line), flush=True)
            print(
                json.dumps(bench_overhead(world, args.overhead_rollouts, args.batch, args.store)),
                flush=True,
            )
            print(json.dumps(bench_breakdown(world, args.overhead_rollouts)), flush=True)
        finally:
            world.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
