"""The public synth-ai 0.2.24 client's export form: weights keys, its body, and the listing
shapes it reads (``dtype``, ``finished_at``, per-type ``limit``)."""

import pytest
from synth_ai.adapters.wire import artifacts as wire
from synth_ai.domain.artifacts.exports import parse_weights_key, stored_weights, weights_key
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob
from synth_ai.domain.artifacts.service import ArtifactService
from synth_ai.domain.errors import InvalidInput
from synth_ai.ports.artifacts import WeightsFolder

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.artifacts import FakeArtifactCatalog

MODEL_ID = "peft:Qwen/Qwen3-0.6B:job_7"
MODEL = ModelArtifact.new(MODEL_ID, status="succeeded", created_at=1.0, weights_path="/w")


def folder(*subfolders: str, holds_files: bool = True) -> WeightsFolder:
    return WeightsFolder("/w", "/w", True, frozenset(subfolders), holds_files)


def test_a_weights_key_names_the_model_and_the_variant_and_reads_back():
    assert parse_weights_key(weights_key(MODEL_ID, "adapter")) == (MODEL_ID, False)
    assert parse_weights_key(weights_key(MODEL_ID, "merged")) == (MODEL_ID, True)


@pytest.mark.parametrize("key", ["models/x/adapter.tar.gz", f"{MODEL_ID}#full", "#merged"])
def test_a_key_not_from_the_listing_is_refused_naming_where_keys_come_from(key):
    with pytest.raises(InvalidInput, match="on-wasabi"):
        parse_weights_key(key)


def test_stored_weights_report_each_variant_a_folder_holds():
    both = stored_weights(MODEL, folder("merged", "adapter"))
    assert (both.merged, both.adapter) == (True, True)
    plain = stored_weights(MODEL, folder())
    assert (plain.merged, plain.adapter) == (True, False)
    assert (stored_weights(MODEL, None).merged, stored_weights(MODEL, None).adapter) == (
        False,
        False,
    )


def test_the_public_body_exports_the_keyed_model_and_variant_with_its_visibility_and_tags():
    body = {
        "repo_id": "me/m",
        "repo_type": "model",
        "artifact_kind": "lora",
        "key": f"{MODEL_ID}#adapter",
        "visibility": "public",
        "base_model": "Qwen/Qwen3-0.6B",
        "tags": ["a", "b"],
    }
    request = wire.read(body, wire.ExportIn).to_request()
    assert (request.model_id, request.repo_id, request.private) == (MODEL_ID, "me/m", False)
    assert (request.tags, request.prefer_merged) == (("a", "b"), False)


def test_our_own_body_still_exports_merged_by_default_and_privately():
    request = wire.read({"model_id": MODEL_ID, "repo_id": "me/m"}, wire.ExportIn).to_request()
    assert (request.private, request.prefer_merged) == (True, True)


def test_artifact_kind_lora_prefers_the_adapter_when_no_key_says_otherwise():
    body = {"model_id": MODEL_ID, "repo_id": "me/m", "artifact_kind": "lora"}
    assert wire.read(body, wire.ExportIn).to_request().prefer_merged is False


@pytest.mark.parametrize(
    "body, match",
    [
        ({"repo_id": "me/m"}, "no model to export"),
        ({"repo_id": "me/m", "key": f"{MODEL_ID}#merged", "repo_type": "dataset"}, "repo_type"),
        ({"repo_id": "me/m", "model_id": "ft:a:b", "key": f"{MODEL_ID}#merged"}, "another model"),
    ],
)
def test_an_export_body_without_one_model_or_for_a_dataset_is_refused(body, match):
    with pytest.raises(InvalidInput, match=match):
        wire.read(body, wire.ExportIn).to_request()


def test_models_carry_dtype_and_finished_jobs_carry_finished_at():
    registered = ModelArtifact.new(
        MODEL_ID, status="succeeded", created_at=1.0, metadata={"dtype": "bf16"}
    )
    assert wire.model(registered)["dtype"] == "bf16"
    assert wire.model(MODEL)["dtype"] == "unknown"
    running = PromptJob.new("pl_1a", status="running", now=5.0)
    assert wire.prompt_job(running)["finished_at"] is None
    done = PromptJob("pl_1a", "succeeded", 5.0, 9.0)
    assert wire.prompt_job(done)["finished_at"] == wire.prompt_job(done)["updated_at"]


def test_the_listing_limits_each_type_on_its_own():
    catalog = FakeArtifactCatalog()
    artifacts = ArtifactService(catalog, clock=FakeClock(), ids=SequentialIds())
    for i in range(3):
        catalog.register_model(
            ModelArtifact.new(f"ft:b:job_f{i}", status="succeeded", created_at=i)
        )
        catalog.register_model(
            ModelArtifact.new(f"rl:b:job_r{i}", status="succeeded", created_at=i)
        )
        catalog.register_prompt_job(PromptJob.new(f"pl_{i}a", status="succeeded", now=i))
    found = artifacts.list_each_type(limit=2)
    assert sorted(m.id for m in found.models) == [
        "ft:b:job_f1",
        "ft:b:job_f2",
        "rl:b:job_r1",
        "rl:b:job_r2",
    ]
    assert [p.job_id for p in found.prompts] == ["pl_2a", "pl_1a"]
    assert found.total_count == 9
