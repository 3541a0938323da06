"""Fixtures for task apps and tunnels: the stand-in cloudflared, edge and Cloudflare API.

Import them into a test module (``from tests.support.tunnels import fake_cloudflare``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SUPPORT = Path(__file__).resolve().parent
FAKE_CLOUDFLARED = SUPPORT / "bin" / "cloudflared"
ROOT = SUPPORT.parent.parent
EXAMPLE_APP = ROOT / "examples" / "arithmetic_task_app.py"
ENV_KEY = "sk-env-test-0123456789"


class FakeCloudflare:
    """The stand-in edge plus the environment that points synth-ai and cloudflared at it."""

    def __init__(self, edge, api=None, pid_dir: Path | None = None):
        self.edge = edge
        self.api = api
        self.pid_dir = pid_dir
        self.env = {
            "SYNTH_AI_CLOUDFLARED": str(FAKE_CLOUDFLARED),
            "SYNTH_AI_TUNNEL_RESOLVE": f"*.trycloudflare.com={edge.url},*.tunnels.example.test={edge.url}",
            "FAKE_CLOUDFLARED_EDGE": edge.url,
            "FAKE_CLOUDFLARED_PYTHON": sys.executable,
        }
        if api is not None:
            self.env["FAKE_CLOUDFLARE_API_URL"] = api.url
        if pid_dir is not None:
            self.env["FAKE_CLOUDFLARED_PID_DIR"] = str(pid_dir)

    def started_pids(self) -> list[int]:
        """Every stand-in cloudflared started under this fixture, running or not."""
        return sorted(int(f.name) for f in self.pid_dir.iterdir()) if self.pid_dir else []


@pytest.fixture
def env_key(monkeypatch) -> str:
    monkeypatch.setenv("ENVIRONMENT_API_KEY", ENV_KEY)
    return ENV_KEY


@pytest.fixture
def cloudflare_api():
    from tests.support.fake_cloudflare_api import FakeCloudflareApi

    api = FakeCloudflareApi.start()
    yield api
    api.close()


@pytest.fixture
def fake_cloudflare(monkeypatch, cloudflare_api, tmp_path_factory):
    from tests.support.fake_edge import FakeEdge

    edge = FakeEdge.start()
    fake = FakeCloudflare(edge, cloudflare_api, tmp_path_factory.mktemp("cloudflared-pids"))
    for name, value in fake.env.items():
        monkeypatch.setenv(name, value)
    yield fake
    edge.close()


@pytest.fixture
def upstream():
    from tests.support.scripted_upstream import ScriptedUpstream

    server = ScriptedUpstream.start(threads=8)
    yield server
    server.close()


def rollout_body(inference_url: str, seed: int = 0, **policy) -> dict:
    return {
        "run_id": f"run-{seed}",
        "env": {"env_name": "arithmetic", "seed": seed},
        "policy": {
            "policy_name": "test-policy",
            "config": {"inference_url": inference_url, **policy},
        },
        "ops": ["agent", "env"],
    }


@pytest.fixture
def reap_deployments(synth_home):
    """After the test, kill whatever deployments it left in services.json (a failing test must
    not leave task apps or cloudflared running)."""
    yield
    import json
    import os
    import signal

    path = synth_home / "services.json"
    if not path.exists():
        return
    for record in json.loads(path.read_text() or "{}").get("services", []):
        for pid in (record.get("pid"), record.get("tunnel_pid")):
            if pid and pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
