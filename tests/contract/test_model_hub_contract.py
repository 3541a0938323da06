"""``ModelHub``: the huggingface_hub adapter against a stand-in Hub, and the in-memory fake."""

from __future__ import annotations

import abc
from collections.abc import Callable

import pytest
from synth_ai.adapters.hf_hub import HfModelHub
from synth_ai.domain.artifacts.errors import ExportFailed
from synth_ai.ports.artifacts import ModelHub

from tests.fakes.artifacts import FakeModelHub
from tests.support.fake_hub import FakeHub
from tests.support.ports import port_mismatches

TOKEN = "hf_contract_token"
CARD = '---\nbase_model: "org/base"\n---\n\n# m\n'

Stored = Callable[[str], dict[str, bytes]]
"""What a repo holds after the uploads, path -> bytes."""


@pytest.fixture
def weights(tmp_path):
    root = tmp_path / "merged"
    (root / "sub").mkdir(parents=True)
    (root / "model.safetensors").write_bytes(b"w" * 300)
    (root / "config.json").write_bytes(b"{}")
    (root / "sub" / "tokenizer.json").write_bytes(b"tok")
    return root


class ModelHubContract(abc.ABC):
    @abc.abstractmethod
    def make_hub(self, request: pytest.FixtureRequest) -> tuple[ModelHub, Stored]:
        """A hub that accepts only ``TOKEN`` (also its default), and a way to read a repo."""

    @pytest.fixture
    def hub(self, request):
        return self.make_hub(request)

    def test_it_offers_every_method_of_the_port(self, hub):
        assert port_mismatches(hub[0], ModelHub) == []

    def test_an_upload_commits_every_file_of_the_folder_and_the_card(self, hub, weights):
        model_hub, stored = hub
        upload = model_hub.upload_folder(weights, repo_id="me/model", private=True, model_card=CARD)
        assert upload.repo_id == "me/model" and "me/model" in upload.url
        assert sorted(upload.files) == sorted(
            ["config.json", "model.safetensors", "sub/tokenizer.json", "README.md"]
        )
        files = stored("me/model")
        assert files["model.safetensors"] == b"w" * 300
        assert files["sub/tokenizer.json"] == b"tok"
        assert files["README.md"].decode() == CARD

    def test_uploading_again_to_the_same_repo_succeeds(self, hub, weights):
        model_hub, stored = hub
        model_hub.upload_folder(weights, repo_id="me/again", private=True, model_card=CARD)
        (weights / "config.json").write_bytes(b'{"v": 2}')
        model_hub.upload_folder(weights, repo_id="me/again", private=True, model_card=CARD)
        assert stored("me/again")["config.json"] == b'{"v": 2}'

    def test_progress_reaches_the_total_bytes(self, hub, weights):
        seen: list[tuple[int, int, str]] = []
        hub[0].upload_folder(
            weights,
            repo_id="me/progress",
            private=False,
            model_card=CARD,
            progress=lambda done, total, name: seen.append((done, total, name)),
        )
        assert seen and seen[-1][0] == seen[-1][1] == 300 + 2 + 3 + len(CARD.encode())

    def test_a_refused_token_is_an_export_failure_and_commits_nothing(self, hub, weights):
        model_hub, stored = hub
        with pytest.raises(ExportFailed, match="refused the token"):
            model_hub.upload_folder(
                weights, repo_id="me/refused", private=True, model_card=CARD, token="hf_wrong"
            )
        assert stored("me/refused") == {}


class TestFakeModelHub(ModelHubContract):
    def make_hub(self, request):
        hub = FakeModelHub(TOKEN, accept=TOKEN)
        return hub, lambda repo_id: dict(hub.repos.get(repo_id, {}).get("files", {}))


class TestHfModelHub(ModelHubContract):
    def make_hub(self, request):
        request.getfixturevalue("monkeypatch").setenv("HF_HUB_DISABLE_XET", "1")
        stand_in = FakeHub.start(token=TOKEN)  # regular uploads: no LFS, so no Xet either
        request.addfinalizer(stand_in.close)

        def stored(repo_id: str) -> dict[str, bytes]:
            repo = stand_in.repos.get(repo_id)
            return dict(repo.files) if repo else {}

        return HfModelHub(endpoint=stand_in.url, token=TOKEN), stored
