"""The optimisation benchmark runs end to end and prints its JSON lines (no timing is asserted)."""

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_the_optimise_bench_prints_throughput_per_level_and_the_interceptor_overhead():
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_optimise", "--model-ms", "5", "--seconds", "0.1"]
        + ["--overhead-rollouts", "8", "--batch", "4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("max_concurrent") for line in lines[:3]] == [1, 4, 16]
    assert all(line["rollouts_per_second"] > 0 for line in lines[:3])
    assert "ratio_to_1" in lines[2]
    assert lines[3]["bench"] == "interceptor_overhead" and lines[3]["rollouts"] == 8
    assert "added_by_interceptor_p50_ms" in lines[3]
    assert lines[4]["bench"] == "interceptor_breakdown" and "interceptor_itself_ms" in lines[4]
