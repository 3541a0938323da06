"""Cold-start CLI benchmarks: ``synth-ai --help`` and ``artifacts list --format json`` over 10,000 artifacts.

    .venv/bin/python bench/bench_cli.py [--runs 10] [--artifacts 10000]

Prints one JSON line per measurement: the median wall time of fresh processes and its ratio
to a baseline measured in the same run (``python -c pass``), so figures compare across
machines. Targets on the reference machine: --help ≤ 0.25 s, list < 0.5 s.
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


def seed(home: Path, count: int) -> None:
    """``count`` artifacts in the store of ``home``: models of three kinds and prompt jobs with snapshots."""
    from synth_ai.adapters.sqlite import Database
    from synth_ai.adapters.sqlite.artifacts import SqliteArtifactCatalog
    from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot
    from synth_ai.settings.config import DEFAULT_ORG

    database = Database(home / "synth.db")
    catalog = SqliteArtifactCatalog(database, DEFAULT_ORG)
    statuses = ("succeeded", "failed", "running")
    for i in range(count):
        status = statuses[i % 3]
        if i % 2:
            kind = ("ft", "rl", "peft")[i % 3]
            catalog.register_model(
                ModelArtifact.new(
                    f"{kind}:Qwen/Qwen3-0.6B:job_{i:06d}",
                    status=status,
                    created_at=1_700_000_000 + i,
                    weights_path=f"/w/{i}",
                    metadata={"epochs": 3, "lr": 1e-5},
                )
            )
        else:
            job = catalog.register_prompt_job(
                PromptJob.new(
                    f"pl_{i:08x}",
                    status=status,
                    now=1_700_000_000 + i,
                    algorithm="gepa",
                    metadata={"task": "banking77"},
                )
            )
            catalog.add_snapshot(
                PromptSnapshot(
                    f"snap_{i}",
                    job.job_id,
                    {"messages": [{"role": "system", "content": "You are a classifier."}]},
                    1_700_000_000 + i,
                    0.5 + (i % 50) / 100,
                )
            )
    database.close()


def median_seconds(argv: list[str], env: dict, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(argv, env=env, capture_output=True, timeout=60)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{argv} failed: {result.stderr.decode()[-500:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--artifacts", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
        env["SYNTH_AI_HOME"] = str(home)
        started = time.perf_counter()
        seed(home, args.artifacts)
        print(
            json.dumps(
                {
                    "bench": "seed",
                    "artifacts": args.artifacts,
                    "seconds": round(time.perf_counter() - started, 2),
                }
            ),
            flush=True,
        )
        baseline = median_seconds([sys.executable, "-c", "pass"], env, args.runs)
        print(
            json.dumps({"bench": "baseline python -c pass", "median_s": round(baseline, 4)}),
            flush=True,
        )
        cases = [
            ("synth-ai --help", ["--help"], 0.25),
            (
                f"synth-ai artifacts list --format json ({args.artifacts} stored)",
                ["artifacts", "list", "--format", "json"],
                0.5,
            ),
        ]
        listed = subprocess.run(
            [sys.executable, "-m", "synth_ai", "artifacts", "list", "--format", "json"],
            env=env,
            capture_output=True,
            check=True,
        )
        assert json.loads(listed.stdout)["summary"]["total_count"] == args.artifacts, (
            "seeding went wrong"
        )
        for name, cli_args, target in cases:
            median = median_seconds([sys.executable, "-m", "synth_ai", *cli_args], env, args.runs)
            print(
                json.dumps(
                    {
                        "bench": name,
                        "median_s": round(median, 4),
                        "ratio_vs_baseline": round(median / baseline, 2),
                        "target_s": target,
                        "runs": args.runs,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
