"""Artifact use cases on fakes: registration stamps, generated ids, best prompt, downloads."""

import pytest
from synth_ai.domain.artifacts.errors import InvalidArtifactId, UnknownSnapshot
from synth_ai.domain.artifacts.service import (
    ArtifactService,
    RegisterModel,
    RegisterPromptJob,
    ReportSnapshot,
)
from synth_ai.domain.errors import Forbidden

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.artifacts import FakeArtifactCatalog, FakeModelHub, FakeWeightsFiles

MESSAGES = {"messages": [{"role": "system", "content": "Be brief."}]}


@pytest.fixture
def artifacts():
    return ArtifactService(FakeArtifactCatalog(), clock=FakeClock(100.0), ids=SequentialIds())


def test_a_model_registered_without_a_time_is_stamped_by_the_clock(artifacts):
    model = artifacts.register_model(RegisterModel("ft:org/base:job_1"))
    assert (model.created_at, model.base_model, model.status) == (100.0, "org/base", "succeeded")


def test_snapshots_sent_with_a_job_get_generated_ids_and_the_best_becomes_its_prompt(artifacts):
    job = artifacts.register_prompt_job(
        RegisterPromptJob(
            "pl_ab",
            snapshots=[
                ReportSnapshot({"messages": []}, score=0.1),
                ReportSnapshot(MESSAGES, score=0.9),
            ],
        )
    )
    assert [s.snapshot_id for s in artifacts.snapshots("pl_ab")] == ["snap_000001", "snap_000002"]
    assert job.best_snapshot_id == "snap_000002"
    assert [(m.role, m.content) for m in artifacts.best_prompt("pl_ab")] == [
        ("system", "Be brief.")
    ]


def test_a_model_id_where_a_prompt_job_belongs_is_named_as_such(artifacts):
    with pytest.raises(InvalidArtifactId, match="is a model id"):
        artifacts.prompt("ft:base:job_1")
    with pytest.raises(InvalidArtifactId, match="is a prompt job id"):
        artifacts.model("pl_ab")


def test_download_takes_the_best_snapshot_and_refuses_a_job_without_one(artifacts):
    artifacts.register_prompt_job(RegisterPromptJob("pl_cd"))
    with pytest.raises(UnknownSnapshot, match="no scored snapshot yet"):
        artifacts.snapshots_to_download("pl_cd")
    artifacts.report_snapshot("pl_cd", ReportSnapshot(MESSAGES, "s1", score=0.5))
    job, snapshots, name = artifacts.snapshots_to_download("pl_cd")
    assert ([s.snapshot_id for s in snapshots], name) == (["s1"], "best")


def test_weights_registered_through_a_symlink_out_of_the_export_roots_are_refused():
    catalog = FakeArtifactCatalog()
    weights = FakeWeightsFiles(
        folders={"/models/m": ["merged/model.safetensors"]}, links={"/models/m": "/etc"}
    )
    artifacts = ArtifactService(
        catalog,
        clock=FakeClock(),
        ids=SequentialIds(),
        hub=FakeModelHub(),
        weights=weights,
        export_roots=("/models",),
    )
    with pytest.raises(Forbidden, match="outside the export roots"):
        artifacts.register_model(RegisterModel("ft:b:j", weights_path="/models/m"))
    with pytest.raises(Forbidden, match="would include /srv/config.toml"):
        ArtifactService(
            catalog,
            clock=FakeClock(),
            ids=SequentialIds(),
            weights=FakeWeightsFiles(),
            export_roots=("/",),
            protected=("/srv/config.toml",),
        ).register_model(RegisterModel("ft:b:j", weights_path="/srv"))
