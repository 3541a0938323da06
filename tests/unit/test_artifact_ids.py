"""ArtifactId.parse: every accepted form, and errors that name the bad part."""

import pytest
from synth_ai.domain.artifacts.model import ArtifactId, InvalidArtifactId, ModelArtifact, PromptJob
from synth_ai.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "kind", "base", "job"),
    [
        ("ft:Qwen/Qwen3-0.6B:job_abc123", "ft", "Qwen/Qwen3-0.6B", "job_abc123"),
        ("rl:meta-llama/Llama-3.2-1B:rl_77", "rl", "meta-llama/Llama-3.2-1B", "rl_77"),
        ("peft:org/model:v2:job-9", "peft", "org/model:v2", "job-9"),
        (
            "ft:gpt-4.1-mini-2025-04-14:my-org:suffix:C3fljcLN",
            "ft",
            "gpt-4.1-mini-2025-04-14:my-org:suffix",
            "C3fljcLN",
        ),
        ("  ft:base:job  ", "ft", "base", "job"),
    ],
)
def test_model_ids_split_into_kind_base_and_the_last_part_as_job(text, kind, base, job):
    parsed = ArtifactId.parse(text)
    assert (parsed.kind, parsed.base, parsed.job, parsed.is_model) == (kind, base, job, True)
    assert str(parsed) == text.strip()


@pytest.mark.parametrize("text", ["pl_9f3a2c", "job_pl_DEADbeef01"])
def test_prompt_job_ids_are_pl_or_job_pl_followed_by_hex(text):
    parsed = ArtifactId.parse(text)
    assert (parsed.kind, parsed.job, parsed.base, parsed.is_model) == ("prompt", text, None, False)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("", "it is empty"),
        ("gpt-4", "'gpt-4' has no known prefix"),
        ("xx:base:job", "unknown kind 'xx'"),
        ("ft:job_only", "BASE part is missing"),
        ("ft::job", "BASE part is missing"),
        ("ft:base:", "JOB part after the last ':' is empty"),
        ("ft:base:job/x", "JOB part 'job/x'"),
        ("pl_xyz", "('xyz') is not hexadecimal"),
        ("job_pl_", "after 'pl_' is empty"),
    ],
)
def test_a_bad_id_names_the_bad_part_and_shows_the_accepted_forms(text, names):
    with pytest.raises(InvalidArtifactId) as caught:
        ArtifactId.parse(text)
    assert names in caught.value.message
    assert "ft:BASE:JOB" in caught.value.message and "pl_<hex>" in caught.value.message
    assert isinstance(caught.value, InvalidInput)


def test_a_model_record_cannot_be_made_from_a_prompt_id_and_vice_versa():
    with pytest.raises(InvalidArtifactId, match="prompt job id"):
        ModelArtifact.new("pl_abc", status="succeeded", created_at=1.0)
    with pytest.raises(InvalidArtifactId, match="is a model id"):
        PromptJob.new("ft:a:b", status="running", now=1.0)


def test_an_unknown_status_is_refused_with_the_accepted_ones():
    with pytest.raises(Exception, match="unknown status 'done' — use one of: queued, running"):
        ModelArtifact.new("ft:a:b", status="done", created_at=1.0)


@pytest.mark.parametrize("snapshot_id", ["a/b", "../../x", "", ".hidden", "snap 1"])
def test_a_snapshot_id_that_cannot_be_a_url_segment_or_file_name_is_refused(snapshot_id):
    from synth_ai.domain.artifacts.model import PromptSnapshot
    from synth_ai.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="invalid snapshot id") as refused:
        PromptSnapshot(snapshot_id, "pl_1", {}, 1.0)
    assert repr(snapshot_id) in refused.value.message and refused.value.param == "snapshot_id"


def test_snapshot_ids_of_letters_digits_and_separators_are_accepted():
    from synth_ai.domain.artifacts.model import PromptSnapshot

    assert PromptSnapshot("snap_3-b.v2", "pl_1", {}, 1.0).snapshot_id == "snap_3-b.v2"
