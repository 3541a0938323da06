"""Best-prompt extraction across the four snapshot shapes, and text rendering."""

import pytest
from synth_ai.domain.artifacts.prompts import PromptMessage, best_prompt, render_text

SYSTEM = {"role": "system", "content": "Be terse."}
USER = {"role": "user", "content": "Classify: {text}"}


@pytest.mark.parametrize(
    "snapshot",
    [
        {"messages": [SYSTEM, USER]},
        {"object": {"messages": [SYSTEM, USER]}},
        {"initial_prompt": {"data": {"messages": [SYSTEM, USER]}}},
        {
            "object": {
                "messages": [
                    {"role": "system", "pattern": "Be terse."},
                    {"role": "user", "content": [{"type": "text", "text": "Classify: {text}"}]},
                ]
            }
        },
    ],
)
def test_messages_are_found_in_every_shape(snapshot):
    assert best_prompt(snapshot) == [
        PromptMessage("system", "Be terse."),
        PromptMessage("user", "Classify: {text}"),
    ]


def test_text_replacements_apply_to_the_system_role_unless_told_otherwise():
    snapshot = {
        "object": {
            "text_replacements": [
                {"new_text": "You are a classifier."},
                {"apply_to_role": "user", "new_text": "Input: {x}"},
            ]
        }
    }
    assert best_prompt(snapshot) == [
        PromptMessage("system", "You are a classifier."),
        PromptMessage("user", "Input: {x}"),
    ]


def test_direct_messages_win_over_the_initial_prompt():
    snapshot = {"messages": [SYSTEM], "initial_prompt": {"data": {"messages": [USER]}}}
    assert best_prompt(snapshot) == [PromptMessage("system", "Be terse.")]


@pytest.mark.parametrize("snapshot", [None, {}, {"object": {"messages": "nope"}}, {"other": 1}])
def test_a_snapshot_without_a_prompt_gives_no_messages(snapshot):
    assert best_prompt(snapshot) == []


def test_text_rendering_puts_each_message_under_its_role():
    text = render_text(
        [PromptMessage("system", "Be terse."), PromptMessage("user", "Hi")], title="pl_1"
    )
    assert text == "pl_1\n====\n\n[system]\nBe terse.\n\n[user]\nHi\n"
    assert "no prompt messages" in render_text([])
