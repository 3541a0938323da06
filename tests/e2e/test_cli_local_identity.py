"""Nothing seems to vanish: what the CLI stored before the first ``synth-ai serve`` is still
listed after serve has generated its key, locally and through the backend with that key."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import httpx

from tests.support.serve_process import free_port


def start_serve(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "synth_ai", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"serve was not healthy at {url} within {timeout}s")


def test_artifacts_registered_before_the_first_serve_stay_visible_after_it_made_its_key(
    cli, synth_home
):
    before = cli("artifacts", "register-model", "ft:Qwen/Qwen3-0.6B:job_before")
    assert before.returncode == 0, before.stderr
    assert not (synth_home / "config.toml").exists()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    serve = start_serve(port)
    try:
        wait_healthy(url, serve)
        serve.send_signal(signal.SIGINT)
        out, err = serve.communicate(timeout=30)
    finally:
        if serve.poll() is None:
            serve.kill()
    [key] = re.findall(r"API key \(new, saved to .*\): (\S+)", out)
    assert serve.returncode == 130, err

    local = json.loads(cli("artifacts", "list", "--format", "json").stdout)
    assert [m["id"] for m in local["fine_tuned_models"]] == ["ft:Qwen/Qwen3-0.6B:job_before"]
    after = cli("artifacts", "register-model", "ft:Qwen/Qwen3-0.6B:job_after")
    assert after.returncode == 0, after.stderr

    serve = start_serve(port)
    try:
        wait_healthy(url, serve)
        remote = cli("--base-url", url, "--api-key", key, "artifacts", "list", "--format", "json")
        assert remote.returncode == 0, remote.stderr
    finally:
        serve.terminate()
        serve.communicate(timeout=30)
    ids = sorted(m["id"] for m in json.loads(remote.stdout)["fine_tuned_models"])
    assert ids == ["ft:Qwen/Qwen3-0.6B:job_after", "ft:Qwen/Qwen3-0.6B:job_before"]
