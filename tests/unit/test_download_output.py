"""Writing ``synth-ai artifacts download`` output: atomic, and nothing left behind on failure."""

from __future__ import annotations

import pytest
from synth_ai.cli.files import write_text
from synth_ai.domain.errors import InvalidInput


def test_a_written_file_holds_the_text_and_no_temporary_file_remains(tmp_path):
    write_text(tmp_path / "prompts" / "best.json", "{}\n")
    assert (tmp_path / "prompts" / "best.json").read_text() == "{}\n"
    assert [p.name for p in (tmp_path / "prompts").iterdir()] == ["best.json"]


def test_a_directory_as_the_output_path_is_refused_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "dl" / "out").mkdir(parents=True)
    with pytest.raises(InvalidInput, match=r"cannot write .*out: a folder; refusing to replace it"):
        write_text(tmp_path / "dl" / "out", "text")
    assert [p.name for p in (tmp_path / "dl").iterdir()] == ["out"]
    assert list((tmp_path / "dl" / "out").iterdir()) == []


def test_yaml_writes_multi_line_prompts_as_block_scalars_that_read_back_exactly():
    import yaml
    from synth_ai.prompt_files import render

    prompt = "You are a banking classifier.\n\nRules:\n- Be precise.\n- Output one label.\n"
    document = {"job_id": "pl_1", "messages": [{"role": "system", "content": prompt}]}
    text = render(document, "yaml")
    assert (
        "  content: |\n    You are a banking classifier.\n\n    Rules:\n    - Be precise.\n" in text
    )
    assert yaml.safe_load(text) == document
    one_line = render({"content": "Query: {query}"}, "yaml")
    assert one_line == "content: 'Query: {query}'\n"


def test_text_of_a_snapshot_in_an_unknown_shape_keeps_its_payload():
    from synth_ai.prompt_files import render

    item = {
        "job_id": "pl_1",
        "snapshot_id": "s1",
        "score": None,
        "is_best": False,
        "messages": [],
        "snapshot": {"prompt_template": "Answer {q} briefly."},
    }
    text = render(item, "text")
    assert "no prompt messages found" in text and '"prompt_template"' in text
    assert "Answer {q} briefly." in text
