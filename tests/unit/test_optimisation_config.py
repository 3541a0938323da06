"""The ``[prompt_learning]`` config: every key checked, unknown keys named with their file."""

from __future__ import annotations

import pytest
from synth_ai.domain.optimisation.config import REQUIRED, SCHEMA, OptimisationConfig
from synth_ai.domain.optimisation.errors import InvalidOptimisationConfig

from tests.fakes.optimisation import prompt_learning


def parse(document: dict) -> OptimisationConfig:
    return OptimisationConfig.parse(document, source="jobs/gepa.toml")


def test_a_minimal_gepa_config_gets_every_documented_default():
    config = parse(prompt_learning("gepa", "http://127.0.0.1:9"))

    assert config.algorithm == "gepa"
    assert config["max_spend_usd"] == 5.0
    assert config["gepa.proposer.temperature"] == 0.7
    assert config.proposer_model == "scripted"  # defaults to the policy model
    assert config.train_seeds == tuple(range(6))
    for path, keys in SCHEMA.items():
        if path.startswith("prompt_learning.mipro"):
            continue
        for key in keys:
            assert f"{path}.{key.name}" in config.values or key.default is REQUIRED


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"gepa__rollout__budgte": 5}, "prompt_learning.gepa.rollout.budgte"),
        ({"polciy": {}}, "prompt_learning.polciy"),
        ({"policy__top_p": 0.9}, "prompt_learning.policy.top_p"),
    ],
)
def test_an_unknown_key_is_an_error_naming_the_key_and_the_file(override, named):
    with pytest.raises(InvalidOptimisationConfig) as caught:
        parse(prompt_learning("gepa", "http://127.0.0.1:9", **override))

    assert named in caught.value.message
    assert "jobs/gepa.toml" in caught.value.message
    assert "unknown key" in caught.value.message


def test_a_wrong_type_names_the_key_the_value_and_what_to_give():
    with pytest.raises(InvalidOptimisationConfig) as caught:
        parse(prompt_learning("gepa", "http://127.0.0.1:9", gepa__rollout={"budget": "lots"}))

    assert "prompt_learning.gepa.rollout.budget" in caught.value.message
    assert "'lots'" in caught.value.message and "whole number" in caught.value.message


def test_a_missing_required_key_says_what_it_is_for():
    document = prompt_learning("mipro", "http://127.0.0.1:9")
    del document["prompt_learning"]["mipro"]["validation_seeds"]

    with pytest.raises(InvalidOptimisationConfig, match="mipro.validation_seeds: is required"):
        parse(document)


def test_the_other_algorithms_table_is_refused():
    document = prompt_learning("gepa", "http://127.0.0.1:9")
    document["prompt_learning"]["mipro"] = {"num_iterations": 3}

    with pytest.raises(InvalidOptimisationConfig, match="is for algorithm = 'mipro'"):
        parse(document)


def test_the_public_clients_gepa_mutation_table_names_the_reflection_model():
    config = parse(
        prompt_learning(
            "gepa", "http://127.0.0.1:9", gepa__mutation={"llm_model": "big", "llm_provider": "x"}
        )
    )

    assert config.proposer_model == "big"


def test_seeds_may_be_given_as_a_range():
    config = parse(
        prompt_learning(
            "gepa",
            "http://127.0.0.1:9",
            gepa__evaluation={"seeds": {"start": 0, "stop": 4}, "validation_seeds": [9]},
        )
    )

    assert config.train_seeds == (0, 1, 2, 3)


def test_the_docs_list_every_key_with_its_default():
    import json
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "prompt-optimisation.md").read_text()
    for path, keys in SCHEMA.items():
        section = doc.split(f"`[{path}]`\n", 1)[1].split("\n\n`[", 1)[0]
        for key in keys:
            if key.default is REQUIRED:
                default = "**required**"
            elif key.default is None:
                default = "none"
            else:
                default = f"`{json.dumps(key.default)}`"
            assert f"| `{key.name}` |" in section, f"{path}.{key.name} is not documented"
            row = next(line for line in section.splitlines() if f"| `{key.name}` |" in line)
            assert f"| {default} |" in row, f"{path}.{key.name}: the docs' default differs"
