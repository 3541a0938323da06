"""How ``synth-ai artifacts show`` resolves an id: by its form, or models then prompts."""

import pytest
from synth_ai.adapters.wire import artifacts as wire
from synth_ai.cli.artifacts import resolve
from synth_ai.domain.artifacts.model import InvalidArtifactId, ModelArtifact, PromptJob
from synth_ai.domain.artifacts.service import ArtifactService

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.artifacts import FakeArtifactCatalog


@pytest.fixture
def catalog():
    catalog = FakeArtifactCatalog()
    catalog.register_model(ModelArtifact.new("ft:base:job_1", status="succeeded", created_at=1.0))
    catalog.register_prompt_job(PromptJob.new("pl_aa", status="running", now=2.0))
    return catalog


@pytest.fixture
def artifacts(catalog):
    return ArtifactService(catalog, clock=FakeClock(), ids=SequentialIds())


def test_an_id_of_known_form_goes_straight_to_its_kind(artifacts):
    assert resolve(artifacts, "ft:base:job_1")[0] == "model"
    kind, detail = resolve(artifacts, "pl_aa")
    assert (kind, detail["best_snapshot"], detail["best_prompt"]) == ("prompt", None, [])


def test_an_id_of_unknown_form_is_tried_as_a_model_then_as_a_prompt_job(catalog, artifacts):
    import attrs

    # A backend with its own id scheme may hold ids that match no known form.
    catalog.models["custom-model-7"] = attrs.evolve(
        catalog.get_model("ft:base:job_1"), id="custom-model-7"
    )
    catalog.jobs["custom-job-7"] = attrs.evolve(
        catalog.get_prompt_job("pl_aa"), job_id="custom-job-7"
    )
    assert resolve(artifacts, "custom-model-7") == (
        "model",
        wire.model(catalog.models["custom-model-7"]),
    )
    assert resolve(artifacts, "custom-job-7")[0] == "prompt"


def test_an_id_found_nowhere_reports_why_its_form_is_wrong(artifacts):
    with pytest.raises(InvalidArtifactId, match="'nothing-here' has no known prefix"):
        resolve(artifacts, "nothing-here")
