"""Export rules: which weights folder goes up, the model card, and refused requests."""

import pytest
from synth_ai.adapters.local_files import LocalWeightsFiles
from synth_ai.domain.artifacts.exports import ExportRequest, model_card, select_weights
from synth_ai.domain.artifacts.model import ModelArtifact
from synth_ai.domain.artifacts.service import ArtifactService
from synth_ai.domain.errors import InvalidInput, NotFound
from synth_ai.ports.artifacts import WeightsFolder

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.artifacts import FakeArtifactCatalog, FakeModelHub

MODEL = ModelArtifact.new(
    "peft:Qwen/Qwen3-0.6B:job_7", status="succeeded", created_at=1.0, weights_path="/w"
)


def folder(*subfolders: str, resolved: str = "/w", holds_files: bool = True) -> WeightsFolder:
    return WeightsFolder("/w", resolved, True, frozenset(subfolders), holds_files)


def service(catalog, hub, export_roots=None) -> ArtifactService:
    return ArtifactService(
        catalog,
        clock=FakeClock(),
        ids=SequentialIds(),
        hub=hub,
        weights=LocalWeightsFiles(),
        export_roots=export_roots,
    )


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


def test_merged_weights_are_preferred_and_the_adapter_on_request():
    both = folder("merged", "adapter")
    assert select_weights(MODEL, True, both) == ("/w/merged", "merged")
    assert select_weights(MODEL, False, both) == ("/w/adapter", "adapter")


def test_the_only_variant_present_is_used_whatever_the_preference():
    assert select_weights(MODEL, True, folder("adapter")) == ("/w/adapter", "adapter")


def test_a_folder_without_variants_goes_up_whole_unless_it_is_empty():
    assert select_weights(MODEL, True, folder()) == ("/w", "full")
    with pytest.raises(NotFound, match="holds no files"):
        select_weights(MODEL, True, folder(holds_files=False))


def test_a_missing_weights_folder_is_reported_with_its_path(tmp_path):
    catalog = FakeArtifactCatalog()
    catalog.register_model(
        ModelArtifact.new(
            "ft:b:j", status="succeeded", created_at=1.0, weights_path=str(tmp_path / "gone")
        )
    )
    with pytest.raises(NotFound, match="gone is not a directory"):
        service(catalog, FakeModelHub()).export(ExportRequest("ft:b:j", "org/name"))


def test_export_uploads_the_chosen_folder_with_a_card_naming_base_model_and_tags(tmp_path):
    catalog, hub = registered(tmp_path, "merged", "adapter"), FakeModelHub()
    result = service(catalog, hub).export(
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
    assert (result.variant, result.repo_id, result.private) == (
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


def test_weights_outside_the_export_roots_are_refused():
    from synth_ai.domain.errors import Forbidden

    linked = folder("merged", resolved="/etc")  # /w is a symlink to /etc
    with pytest.raises(Forbidden, match="outside the export roots"):
        select_weights(MODEL, True, linked, export_roots=("/w",))
    assert select_weights(MODEL, True, folder("merged"), export_roots=("/w",))[1] == "merged"


def test_the_service_resolves_the_export_roots_before_comparing(tmp_path):
    from synth_ai.domain.errors import Forbidden

    catalog, hub = registered(tmp_path, "merged"), FakeModelHub()
    request = ExportRequest("peft:Qwen/Qwen3-0.6B:job_7", "me/m")
    with pytest.raises(Forbidden):
        service(catalog, hub, export_roots=(str(tmp_path / "elsewhere"),)).export(request)
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    assert service(catalog, hub, export_roots=(str(link),)).export(request).variant == "merged"
