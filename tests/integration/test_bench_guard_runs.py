"""The guard benchmark runs end to end and prints its JSON lines (no timing is asserted)."""

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_the_guard_bench_prints_both_p50s_and_their_ratio_as_json_lines(redis_url):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench_guard",
            "--requests",
            "5",
            "--store",
            "redis",
            "--redis-url",
            redis_url,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {line.get("variant") for line in lines[:2]} == {"guarded", "unguarded"}
    assert lines[0]["requests"] == 5 and lines[0]["p50_ms"] > 0
    assert lines[2]["ratio"] > 0 and "added_p50_ms" in lines[2]


def test_one_guard_bench_run_measures_sqlite_redis_and_postgres(redis_url, postgres_url):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench_guard",
            "--requests",
            "3",
            "--store",
            "sqlite,redis,postgres",
            "--redis-url",
            redis_url,
            "--postgres-url",
            postgres_url,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    ratios = [line for line in lines if line.get("measure") == "guarded/unguarded p50 ratio"]
    assert [line["store"] for line in ratios] == ["sqlite", "redis", "postgres"]
    [floor] = [line for line in lines if line.get("measure", "").startswith("guard added p50 /")]
    assert floor["store"] == "postgres" and floor["durable_commit_p50_ms"] > 0


def test_the_guard_bench_reaches_postgres_through_a_proxy_adding_round_trip_time(postgres_url):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench_guard",
            "--requests",
            "3",
            "--store",
            "postgres",
            "--postgres-url",
            postgres_url,
            "--postgres-rtt-ms",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    guarded = [line for line in lines if line.get("variant") == "guarded"]
    assert guarded[0]["rtt_ms"] == 2.0 and guarded[0]["requests"] == 3
