"""``synth-ai scan`` against synth-ai 0.2.24's ``scan --json``, in the same run.

    .venv/bin/python bench/bench_scan.py [--runs 5] [--apps 5]

Two measurements, each the median wall time of fresh CLI processes over ``--runs`` runs:
``empty_sweep`` (ports 8000-8100, nothing of ours running) and ``live_apps`` (``--apps``
example task apps on free ports in 8000-8100). The anchor is installed once into a bench-only
venv under the git-ignored ``.cache/bench-scan/`` (``pip install synth-ai==0.2.24``); both
CLIs run with ``HOME`` and ``SYNTH_AI_HOME`` pointed at a fresh temp dir. Prints one JSON line
per measurement with ``ratio`` = anchor / ours and the ``python -c pass`` baseline.
Goal: empty sweep ≤ 0.5 s and ≥ 4× faster than the anchor.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANCHOR_VERSION = "0.2.24"
ANCHOR_VENV = ROOT / ".cache" / "bench-scan" / f"anchor-{ANCHOR_VERSION}"
EXAMPLE_APP = ROOT / "examples" / "arithmetic_task_app.py"
KEY = "sk-bench-scan-key"
HOST_APPS = """
import sys, time
from synth_ai import InProcessTaskApp
apps = [InProcessTaskApp(task_app_path=sys.argv[1], port=int(p)).start() for p in sys.argv[2:]]
print("READY", *[a.port for a in apps], flush=True)
try:
    while True:
        time.sleep(0.2)
finally:
    for app in apps:
        app.stop()
"""


def ensure_anchor() -> Path:
    binary = ANCHOR_VENV / "bin" / "synth-ai"
    if binary.exists():
        return binary
    ANCHOR_VENV.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(ANCHOR_VENV)], check=True)
    install = subprocess.run(
        [str(ANCHOR_VENV / "bin" / "pip"), "install", "-q", f"synth-ai=={ANCHOR_VERSION}"],
        capture_output=True,
        text=True,
    )
    if install.returncode != 0 or not binary.exists():
        raise SystemExit(f"cannot install synth-ai=={ANCHOR_VERSION}: {install.stderr[-800:]}")
    return binary


def timed(argv: list[str], env: dict, runs: int) -> tuple[float, list[float], str]:
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{argv} failed ({result.returncode}): {result.stderr[-800:]}")
        out = result.stdout
    return statistics.median(times), times, out


def found(stdout: str) -> int:
    return int(json.loads(stdout[stdout.index("{") :])["scan_summary"]["total_found"])


def free_ports(count: int) -> list[int]:
    ports = []
    for port in range(8000, 8101):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                try:
                    probe.close()
                    with socket.socket() as bind:
                        bind.bind(("127.0.0.1", port))
                    ports.append(port)
                except OSError:
                    continue
        if len(ports) == count:
            return ports
    raise SystemExit(f"fewer than {count} free ports in 8000-8100")


def open_in_range() -> int:
    count = 0
    for port in range(8000, 8101):
        with socket.socket() as probe:
            probe.settimeout(0.2)
            count += probe.connect_ex(("127.0.0.1", port)) == 0
    return count


def measure(name: str, ours: list[str], anchor: list[str], env: dict, runs: int, **extra) -> None:
    baseline, _, _ = timed([sys.executable, "-c", "pass"], env, runs)
    ours_s, ours_all, ours_out = timed(ours, env, runs)
    anchor_s, anchor_all, anchor_out = timed(anchor, env, runs)
    print(
        json.dumps(
            {
                "bench": "scan",
                "measurement": name,
                "runs": runs,
                "ours_s": round(ours_s, 3),
                "anchor_s": round(anchor_s, 3),
                "ratio": round(anchor_s / ours_s, 2),
                "baseline_python_s": round(baseline, 3),
                "ours_found": found(ours_out),
                "anchor_found": found(anchor_out),
                "ours_all_s": [round(t, 3) for t in ours_all],
                "anchor_all_s": [round(t, 3) for t in anchor_all],
                **extra,
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--apps", type=int, default=5)
    args = parser.parse_args()
    anchor_bin = ensure_anchor()
    ours_bin = Path(sys.executable).parent / "synth-ai"
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNTH_", "ENVIRONMENT_"))}
        env.update(HOME=tmp, SYNTH_AI_HOME=str(Path(tmp) / "synth"), ENVIRONMENT_API_KEY=KEY)
        ours = [str(ours_bin), "scan", "--port-range", "8000:8100", "--format", "json"]
        anchor = [str(anchor_bin), "scan", "--port-range", "8000:8100", "--json"]
        measure("empty_sweep", ours, anchor, env, args.runs, open_ports_in_range=open_in_range())
        ports = free_ports(args.apps)
        host = Path(tmp) / "host_apps.py"
        host.write_text(HOST_APPS)
        process = subprocess.Popen(
            [sys.executable, str(host), str(EXAMPLE_APP), *map(str, ports)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            line = process.stdout.readline()
            if not line.startswith("READY"):
                raise SystemExit(f"the task apps did not start: {line!r}")
            measure("live_apps", ours, anchor, env, args.runs, apps=args.apps, ports=ports)
        finally:
            process.terminate()
            process.wait(30)


if __name__ == "__main__":
    main()
