"""Export to a stand-in Hugging Face Hub through huggingface_hub: local CLI, remote backend, errors."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.fake_hub import FakeHub
from tests.support.terminal import run_in_terminal

MODEL = "peft:Qwen/Qwen3-0.6B:job_42"


@pytest.fixture
def hub():
    hub = FakeHub.start(token="hf_test_token", lfs_threshold=100_000)
    yield hub
    hub.close()


@pytest.fixture
def model_dir(tmp_path):
    root = tmp_path / "weights"
    for variant, files in {
        "merged": ["model.safetensors", "config.json"],
        "adapter": ["adapter_model.safetensors"],
    }.items():
        (root / variant).mkdir(parents=True)
        for name in files:
            (root / variant / name).write_bytes(f"{variant}/{name}".encode())
    return root


def hub_env(hub, token="hf_test_token", **extra):
    return {"HF_ENDPOINT": hub.url, "HF_TOKEN": token, "HF_HUB_DISABLE_XET": "1", **extra}


def test_local_export_uploads_merged_weights_privately_with_a_model_card(cli, hub, model_dir):
    assert cli("artifacts", "register-model", MODEL, "--weights", str(model_dir)).returncode == 0
    result = cli(
        "artifacts",
        "export",
        MODEL,
        "--repo-id",
        "me/qwen",
        "--tags",
        "banking,lora",
        "--format",
        "json",
        env=hub_env(hub),
    )
    assert result.returncode == 0, result.stderr
    repo = hub.repos["me/qwen"]
    assert repo.private is True
    assert repo.files["model.safetensors"] == b"merged/model.safetensors"
    assert sorted(repo.files) == ["README.md", "config.json", "model.safetensors"]
    card = repo.files["README.md"].decode()
    assert 'tags: ["synth-ai", "peft", "banking", "lora"]' in card and "Qwen/Qwen3-0.6B" in card
    assert json.loads(result.stdout)["variant"] == "merged"
    assert hub.xet_requests == []
    assert "Uploading" not in result.stderr  # progress bars only on a terminal, not in pipes


def test_local_export_shows_a_progress_bar_on_a_terminal(cli, hub, model_dir):
    assert cli("artifacts", "register-model", MODEL, "--weights", str(model_dir)).returncode == 0
    code, shown = run_in_terminal(
        "artifacts", "export", MODEL, "--repo-id", "me/qwen", env=hub_env(hub)
    )
    assert code == 0, shown
    assert re.search(r"Uploading README\.md .* (\d+)/\1 bytes", shown)  # the bar, complete
    assert "Exported peft:Qwen/Qwen3-0.6B:job_42" in shown


def test_local_export_of_the_adapter_to_a_public_repo(cli, hub, model_dir):
    cli("artifacts", "register-model", MODEL, "--weights", str(model_dir))
    result = cli(
        "artifacts",
        "export",
        MODEL,
        "--repo-id",
        "me/qwen-lora",
        "--public",
        "--prefer-adapter",
        env=hub_env(hub),
    )
    assert result.returncode == 0, result.stderr
    assert "Exported peft:Qwen/Qwen3-0.6B:job_42 (adapter weights, 2 files)" in result.stdout
    repo = hub.repos["me/qwen-lora"]
    assert (repo.private, sorted(repo.files)) == (False, ["README.md", "adapter_model.safetensors"])


def test_large_files_go_through_the_lfs_batch_api(cli, hub, tmp_path):
    big = tmp_path / "big"
    big.mkdir()
    payload = bytes(range(256)) * 1024  # 256 KiB, above the stand-in's LFS threshold
    (big / "model.safetensors").write_bytes(payload)
    cli("artifacts", "register-model", "ft:base:job_big", "--weights", str(big))
    result = cli("artifacts", "export", "ft:base:job_big", "--repo-id", "me/big", env=hub_env(hub))
    assert result.returncode == 0, result.stderr
    assert hub.repos["me/big"].files["model.safetensors"] == payload
    assert any("/info/lfs/objects/batch" in r for r in hub.requests)


def test_a_refused_hub_token_is_one_clear_line(cli, hub, model_dir):
    cli("artifacts", "register-model", MODEL, "--weights", str(model_dir))
    result = cli(
        "artifacts", "export", MODEL, "--repo-id", "me/qwen", env=hub_env(hub, token="hf_wrong")
    )
    assert result.returncode == 1
    assert "refused the token (401)" in result.stderr and "Traceback" not in result.stderr
    assert "me/qwen" not in hub.repos


def test_remote_export_runs_on_the_backend(cli, hub, model_dir, backend, settings, tmp_path):
    from dependency_injector import providers
    from synth_ai.adapters.hf_hub import HfModelHub

    settings.document["artifacts"] = {"export_roots": [str(tmp_path)]}
    backend.container.model_hub.override(providers.Object(HfModelHub(hub.url)))
    remote = {"SYNTH_BACKEND_URL": backend.url, "SYNTH_API_KEY": backend.api_key}
    assert (
        cli(
            "artifacts", "register-model", MODEL, "--weights", str(model_dir), env=remote
        ).returncode
        == 0
    )
    result = cli(
        "artifacts",
        "export",
        MODEL,
        "--repo-id",
        "team/qwen",
        "--prefer-adapter",
        "--hf-token",
        "hf_test_token",
        "--format",
        "json",
        env=remote,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(hub.repos["team/qwen"].files) == ["README.md", "adapter_model.safetensors"]
    assert json.loads(result.stdout)["url"].endswith("/team/qwen")


def test_the_export_route_refuses_a_bad_repo_id_with_422_or_400(backend):
    response = backend.client().post(
        "/api/learning/exports/hf", json={"model_id": MODEL, "repo_id": "nope"}
    )
    assert response.status_code == 400
    assert "invalid repo id 'nope'" in response.json()["error"]["message"]
    response = backend.client().post(
        "/api/learning/exports/hf", json={"model_id": MODEL, "repo": "a/b"}
    )
    assert response.status_code == 422


def test_the_backend_takes_weights_only_from_its_configured_export_roots(
    hub, model_dir, backend, settings, tmp_path
):
    settings.document["artifacts"] = {"export_roots": [str(tmp_path / "models")]}
    client = backend.client()
    response = client.post(
        "/api/artifacts/models", json={"id": MODEL, "weights_path": str(model_dir)}
    )
    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert "outside the export roots" in message and str(tmp_path / "models") in message
    assert "me/leak" not in hub.repos


@pytest.fixture
def serving_hub(hub, backend):
    from dependency_injector import providers
    from synth_ai.adapters.hf_hub import HfModelHub

    backend.container.model_hub.override(providers.Object(HfModelHub(hub.url, "hf_test_token")))
    return hub


def test_with_no_export_roots_configured_only_the_homes_models_folder_is_exportable(
    serving_hub, backend, settings
):
    """Default-deny: the home itself, its config and database, /etc, and symlinks out of
    ``$SYNTH_AI_HOME/models`` are each refused with a 403 naming that folder."""
    client = backend.client()
    models = settings.home / "models"
    settings.config_path.parent.mkdir(parents=True, exist_ok=True)
    settings.config_path.write_text('[server]\napi_keys = [{key = "sk-secret"}]\n')
    linked = models / "linked"
    linked.mkdir(parents=True)
    (linked / "model.safetensors").symlink_to(settings.config_path)
    (models / "escape").symlink_to(settings.home)
    attempts = {
        "ft:b:home": str(settings.home),
        "ft:b:etc": "/etc/ssl",
        "ft:b:escape": str(models / "escape"),
    }
    for model_id, path in attempts.items():
        response = client.post("/api/artifacts/models", json={"id": model_id, "weights_path": path})
        assert response.status_code == 403, (model_id, response.text)
        assert str(models) in response.json()["error"]["message"]
    assert (
        client.post(
            "/api/artifacts/models", json={"id": "ft:b:linked", "weights_path": str(linked)}
        ).status_code
        == 201
    )
    response = client.post(
        "/api/learning/exports/hf", json={"model_id": "ft:b:linked", "repo_id": "me/leak"}
    )
    assert response.status_code == 403
    assert "symlink" in response.json()["error"]["message"]
    assert "me/leak" not in serving_hub.repos
    good = models / "good"
    (good / "merged").mkdir(parents=True)
    (good / "merged" / "model.safetensors").write_bytes(b"w")
    client.post("/api/artifacts/models", json={"id": "ft:b:good", "weights_path": str(good)})
    response = client.post(
        "/api/learning/exports/hf", json={"model_id": "ft:b:good", "repo_id": "me/good"}
    )
    assert response.status_code == 200, response.text
    assert sorted(serving_hub.repos["me/good"].files) == ["README.md", "model.safetensors"]
    assert b"sk-secret" not in b"".join(
        f for repo in serving_hub.repos.values() for f in repo.files.values()
    )


def test_an_unreachable_hub_is_one_clear_line_before_any_progress(cli, model_dir):
    from synth_ai.adapters.waitress_host import find_free_port

    cli("artifacts", "register-model", MODEL, "--weights", str(model_dir))
    endpoint = f"http://127.0.0.1:{find_free_port()}"
    result = cli(
        "artifacts", "export", MODEL, "--repo-id", "me/qwen", env={"HF_ENDPOINT": endpoint}
    )
    assert result.returncode == 1
    assert f"the Hub at {endpoint} is not reachable" in result.stderr
    assert "HF_ENDPOINT" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("Connection refused") == 1  # the cause once, not once per layer
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_unknown_model_fails_with_one_line_and_no_progress_bar(cli, hub):
    result = cli("artifacts", "export", "ft:base:job_nope", "--repo-id", "me/x", env=hub_env(hub))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: no model with id 'ft:base:job_nope' — list them with "
        "'synth-ai artifacts list --type models'"
    ]


def test_the_export_route_answers_502_when_the_hub_is_unreachable(
    model_dir, backend, settings, tmp_path
):
    from dependency_injector import providers
    from synth_ai.adapters.hf_hub import HfModelHub
    from synth_ai.adapters.waitress_host import find_free_port

    settings.document["artifacts"] = {"export_roots": [str(tmp_path)]}
    endpoint = f"http://127.0.0.1:{find_free_port()}"
    backend.container.model_hub.override(providers.Object(HfModelHub(endpoint, "hf_x")))
    client = backend.client()
    client.post("/api/artifacts/models", json={"id": MODEL, "weights_path": str(model_dir)})
    response = client.post("/api/learning/exports/hf", json={"model_id": MODEL, "repo_id": "a/b"})
    assert response.status_code == 502
    error = response.json()["error"]
    assert (error["code"], error["type"]) == ("hub_unreachable", "upstream_error")
    assert f"the Hub at {endpoint} is not reachable" in error["message"]


def test_a_hub_refusing_the_token_on_a_remote_export_is_not_blamed_on_the_api_key(
    cli, hub, model_dir, backend, settings, tmp_path
):
    from dependency_injector import providers
    from synth_ai.adapters.hf_hub import HfModelHub

    settings.document["artifacts"] = {"export_roots": [str(tmp_path)]}
    backend.container.model_hub.override(providers.Object(HfModelHub(hub.url)))
    remote = {"SYNTH_BACKEND_URL": backend.url, "SYNTH_API_KEY": backend.api_key}
    cli("artifacts", "register-model", MODEL, "--weights", str(model_dir), env=remote)
    args = ("artifacts", "export", MODEL, "--repo-id", "team/q", "--hf-token", "hf_wrong")
    result = cli(*args, env=remote)
    assert result.returncode == 1
    assert "refused the token (401)" in result.stderr and "--api-key" not in result.stderr
    response = backend.client().post(
        "/api/learning/exports/hf",
        json={"model_id": MODEL, "repo_id": "team/q", "hf_token": "hf_wrong"},
    )
    assert response.status_code == 502  # the backend's own key was fine; the Hub refused
    assert response.json()["error"]["code"] == "hub_unauthorized"


# huggingface_hub's own LFS upload call, which httpx2 deprecates; nothing synth-ai can change.
@pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
def test_progress_counts_a_file_only_once_the_hub_holds_it(hub, tmp_path, monkeypatch):
    from huggingface_hub import constants
    from synth_ai.adapters.hf_hub import HfModelHub

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)  # HF_HUB_DISABLE_XET=1, in-process

    folder = tmp_path / "big-weights"
    folder.mkdir()
    for name in ("a.safetensors", "b.safetensors"):  # above the stand-in's LFS threshold
        (folder / name).write_bytes(name.encode() * 50_000)
    seen = []

    def progress(done, total, name):
        seen.append((name, len(hub.lfs_objects), done == total))

    HfModelHub(hub.url, "hf_test_token", batch_bytes=1).upload_folder(
        folder,
        repo_id="me/progress",
        private=True,
        model_card="---\ntags: []\n---\n# card\n",
        progress=progress,
    )
    assert seen == [
        ("a.safetensors", 1, False),
        ("b.safetensors", 2, False),
        ("README.md", 2, True),
    ]
    assert sorted(hub.repos["me/progress"].files) == ["README.md", "a.safetensors", "b.safetensors"]
