"""The public synth-ai 0.2.24 CLI, unchanged, against a real ``synth-ai serve``: artifacts
list (per type, ``--limit``), show (``dtype``, ``finished_at``) and export to the stand-in Hub."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from tests.e2e.clients import E2E_KEY
from tests.support.anchor import anchor_env, anchor_venv
from tests.support.fake_hub import FakeHub
from tests.support.serve_process import ServeProcess

MODEL = "ft:Qwen/Qwen3-0.6B:job_pub1"
RL_MODEL = "rl:Qwen/Qwen3-0.6B:job_pub2"
OLDER_MODEL = "ft:Qwen/Qwen3-0.6B:job_pub0"
JOB = "pl_0a1b2c"


@pytest.fixture
def hub():
    hub = FakeHub.start(token="hf_test_token")
    yield hub
    hub.close()


@pytest.fixture
def serve(tmp_path, hub):
    home = tmp_path / "serve-home"
    home.mkdir()
    env = {"HF_ENDPOINT": hub.url, "HF_TOKEN": "hf_test_token", "HF_HUB_DISABLE_XET": "1"}
    server = ServeProcess(home, "http://127.0.0.1:9", E2E_KEY, extra_env=env, threads=4)
    yield server
    server.stop()


@pytest.fixture
def catalog(serve):
    """Two models (weights under the home's models dir, merged/ and adapter/) and a finished job."""
    weights = serve.env["SYNTH_AI_HOME"] + "/models/qwen-pub1"
    for variant, name in (
        ("merged", "model.safetensors"),
        ("adapter", "adapter_model.safetensors"),
    ):
        folder = f"{weights}/{variant}"
        subprocess.run(["mkdir", "-p", folder], check=True)
        with open(f"{folder}/{name}", "wb") as f:
            f.write(f"{variant}/{name}".encode())
    with httpx.Client(base_url=serve.url, headers={"Authorization": f"Bearer {E2E_KEY}"}) as c:
        for body in (
            {"id": OLDER_MODEL, "weights_path": weights, "created_at": 1_000_000_000},
            {"id": MODEL, "weights_path": weights},
            {"id": RL_MODEL, "weights_path": weights, "metadata": {"dtype": "bfloat16"}},
        ):
            assert c.post("/api/artifacts/models", json=body).status_code == 201
        job = {"job_id": JOB, "status": "succeeded", "algorithm": "gepa"}
        assert c.post("/api/artifacts/prompts", json=job).status_code == 201
    return weights


def anchor(serve, tmp_path, *args: str) -> subprocess.CompletedProcess:
    home = tmp_path / "anchor-home"
    home.mkdir(exist_ok=True)
    binary = str(anchor_venv() / "bin" / "synth-ai")
    env = anchor_env(serve.url, E2E_KEY, home, HF_ENDPOINT=serve.env["HF_ENDPOINT"])
    return subprocess.run(
        [binary, "artifacts", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_public_client_lists_each_type_with_a_limit(serve, catalog, tmp_path):
    everything = anchor(serve, tmp_path, "list", "--limit", "10")
    assert everything.returncode == 0, everything.stderr + everything.stdout
    assert MODEL in everything.stdout and RL_MODEL in everything.stdout and JOB in everything.stdout
    assert "Fine-tuned Models (2)" in everything.stdout and OLDER_MODEL in everything.stdout
    models = anchor(serve, tmp_path, "list", "--type", "models", "--limit", "1")
    assert models.returncode == 0, models.stderr + models.stdout
    assert "Fine-tuned Models (1)" in models.stdout and "RL Models (1)" in models.stdout
    assert MODEL in models.stdout and RL_MODEL in models.stdout  # the newest of each type
    assert OLDER_MODEL not in models.stdout and JOB not in models.stdout
    prompts = anchor(serve, tmp_path, "list", "--type", "prompts", "--limit", "5")
    assert prompts.returncode == 0 and JOB in prompts.stdout and MODEL not in prompts.stdout


def test_the_public_client_shows_dtype_and_when_a_job_finished(serve, catalog, tmp_path):
    shown = anchor(serve, tmp_path, "show", RL_MODEL)
    assert shown.returncode == 0, shown.stderr + shown.stdout
    assert "Dtype: bfloat16" in shown.stdout
    job = anchor(serve, tmp_path, "show", JOB)
    assert job.returncode == 0, job.stderr + job.stdout
    assert "Finished: N/A" not in job.stdout and "Finished: 20" in job.stdout


def test_the_public_client_exports_merged_weights_privately(serve, catalog, hub, tmp_path):
    result = anchor(serve, tmp_path, "export", MODEL, "--repo-id", "me/pub-merged", "--tags", "a,b")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Successfully exported to" in result.stdout and "me/pub-merged" in result.stdout
    repo = hub.repos["me/pub-merged"]
    assert repo.private is True
    assert repo.files["model.safetensors"] == b"merged/model.safetensors"
    assert '"a", "b"' in repo.files["README.md"].decode()


def test_the_public_client_exports_the_adapter_publicly(serve, catalog, hub, tmp_path):
    result = anchor(
        serve, tmp_path, "export", MODEL, "--repo-id", "me/pub-lora", "--public", "--prefer-adapter"
    )
    assert result.returncode == 0, result.stderr + result.stdout
    repo = hub.repos["me/pub-lora"]
    assert (repo.private, sorted(repo.files)) == (False, ["README.md", "adapter_model.safetensors"])
