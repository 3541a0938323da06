"""Wall time of README command 1, ``scripts/demo`` (goal: under 5 minutes after the first install).

    python -m bench.bench_demo [--reduced] [--mipro-only] [--threads N] [--no-install-step]

Runs ``scripts/demo`` (or, with ``--no-install-step``, ``examples/demo.py`` with this Python)
in a subprocess, in a fresh temporary ``SYNTH_AI_HOME``, and prints one JSON line: the whole
command's wall time, the demo's own (from the backend's start to the last process stopped), the
difference (the install check), each job's baseline and best validation scores, rollouts and
tokens, the load average before and after, and ``ratio_to_goal`` (wall time / 300 s; ≤ 1 meets
the goal).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reduced", action="store_true")
    parser.add_argument("--mipro-only", action="store_true")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--no-install-step", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-demo-") as folder:
        summary = Path(folder) / "summary.json"
        if args.no_install_step:
            command = [sys.executable, "examples/demo.py"]
        else:
            command = ["bash", "scripts/demo"]
        command += ["--summary-json", str(summary)]
        command += ["--reduced"] if args.reduced else []
        command += ["--mipro-only"] if args.mipro_only else []
        command += ["--threads", str(args.threads)] if args.threads else []
        env = {**os.environ, "SYNTH_AI_HOME": str(Path(folder) / "home")}
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.monotonic() - started
        if done.returncode != 0 or not summary.exists():
            sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
            raise SystemExit(f"the demo failed with exit code {done.returncode}")
        result = json.loads(summary.read_text())
    print(
        json.dumps(
            {
                "bench": "demo_wall_time",
                "command": " ".join(command[:2] + command[4:]),
                "wall_s": round(wall, 1),
                "demo_s": result["wall_s"],
                "install_check_s": round(wall - result["wall_s"], 1),
                "ratio_to_goal": round(wall / GOAL_S, 2),
                "jobs": [
                    {
                        key: job[key]
                        for key in ("kind", "status", "baseline_score", "best_score")
                        + ("rollouts", "tokens", "spend_usd")
                    }
                    for job in result["results"]
                ],
                "load_before": round(load_before, 1),
                "load_after": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
