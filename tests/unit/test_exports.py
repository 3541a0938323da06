"""Export rules: which weights folder goes up, the model card, and refused requests."""

import pytest
from synth_ai.domain.artifacts.exports import (
    ExportRequest,
    export_model,
    model_card,
    select_weights,
)
from synth_ai.domain.artifacts.model import ModelArtifact
from synth_ai.domain.errors import InvalidInput, NotFound

from tests.fakes import FakeArtifactCatalog, FakeModelHub


def weights(tmp_path, *folders):
    for folder in folders:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / f"{folder}.safetensors").write_bytes(b"w")
    return tmp_path


def registered(tmp_path, *folders):
    catalog = FakeArtifactCatalog()
    path = weights(tmp_path / "w", *folders)
    catalog.register_model(
        ModelArtifact.new(
            "peft:Qwen/Qwen3-0.6B:job_7", status="succeeded", created_at=1.0, weights_path=str(path)
        )
    )
    return catalog


def test_merged_weights_are_preferred_and_the_adapter_on_request(tmp_path):
    catalog = registered(tmp_path, "merged", "adapter")
    model = catalog.get_model("peft:Qwen/Qwen3-0.6B:job_7")
    assert select_weights(model, prefer_merged=True)[1] == "merged"
    assert select_weights(model, prefer_merged=False)[1] == "adapter"


def test_the_only_variant_present_is_used_whatever_the_preference(tmp_path):
    model = registered(tmp_path, "adapter").get_model("peft:Qwen/Qwen3-0.6B:job_7")
    folder, variant = select_weights(model, prefer_merged=True)
    assert (folder.name, variant) == ("adapter", "adapter")


def test_a_missing_weights_folder_is_reported_with_its_path(tmp_path):
    catalog = FakeArtifactCatalog()
    catalog.register_model(
        ModelArtifact.new(
            "ft:b:j", status="succeeded", created_at=1.0, weights_path=str(tmp_path / "gone")
        )
    )
    with pytest.raises(NotFound, match="gone is not a directory"):
        export_model(catalog, FakeModelHub(), ExportRequest("ft:b:j", "org/name"))


def test_export_uploads_the_chosen_folder_with_a_card_naming_base_model_and_tags(tmp_path):
    catalog, hub = registered(tmp_path, "merged", "adapter"), FakeModelHub()
    result = export_model(
        catalog,
        hub,
        ExportRequest(
            "peft:Qwen/Qwen3-0.6B:job_7",
            "me/qwen-lora",
            private=False,
            tags=("a", "b"),
            prefer_merged=False,
        ),
    )
    upload = hub.uploads[0]
    assert (upload["folder"].name, upload["private"], upload["files"]) == (
        "adapter",
        False,
        ["adapter.safetensors"],
    )
    assert 'base_model: "Qwen/Qwen3-0.6B"' in upload["model_card"]
    assert 'tags: ["synth-ai", "peft", "a", "b"]' in upload["model_card"]
    assert "library_name: peft" in upload["model_card"]
    assert (result["variant"], result["repo_id"], result["private"]) == (
        "adapter",
        "me/qwen-lora",
        False,
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model_id": "ft:b:j", "repo_id": "no-slash"}, "invalid repo id 'no-slash'"),
        (
            {"model_id": "ft:b:j", "repo_id": "a/b", "tags": ("ok", "bad tag")},
            "invalid tag 'bad tag'",
        ),
        ({"model_id": "pl_abc", "repo_id": "a/b"}, "only models can be exported"),
    ],
)
def test_bad_export_requests_name_the_bad_value(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        ExportRequest(**kwargs)


def test_the_model_card_front_matter_is_yaml():
    import yaml

    model = ModelArtifact.new("rl:org/base:job_1", status="succeeded", created_at=1.0)
    card = model_card(model, "me/m", ("x",), "full")
    meta = yaml.safe_load(card.split("---")[1])
    assert meta == {
        "base_model": "org/base",
        "library_name": "transformers",
        "tags": ["synth-ai", "rl", "x"],
    }


def test_weights_outside_the_export_roots_are_refused(tmp_path):
    from synth_ai.domain.errors import Forbidden

    catalog = registered(tmp_path, "merged")
    model = catalog.get_model("peft:Qwen/Qwen3-0.6B:job_7")
    with pytest.raises(Forbidden, match="outside the export roots"):
        select_weights(model, True, export_roots=(tmp_path / "elsewhere",))
    assert select_weights(model, True, export_roots=(tmp_path,))[1] == "merged"
