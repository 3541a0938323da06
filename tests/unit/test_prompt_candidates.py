"""Candidates: a system instruction plus demonstrations, placed before the task's turns."""

from __future__ import annotations

from synth_ai.domain.optimisation.candidate import Candidate, Demo, PromptMessage, substitute


def test_the_initial_prompt_splits_into_instruction_demonstrations_and_the_task_template():
    candidate = Candidate.from_messages(
        (
            PromptMessage("system", "Be terse."),
            PromptMessage("user", "What is 1 + 1?"),
            PromptMessage("assistant", "two"),
            PromptMessage("user", "{question}"),
        )
    )

    assert candidate.instruction == "Be terse."
    assert candidate.demos == (Demo("What is 1 + 1?", "two"),)
    assert [m.text for m in candidate.template] == ["{question}"]
    assert candidate.prefix() == [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "What is 1 + 1?"},
        {"role": "assistant", "content": "two"},
    ]


def test_the_interceptor_replaces_the_tasks_system_message_and_keeps_its_turns():
    prefix = Candidate("Answer in words.", (Demo("q", "a"),)).prefix()
    task = [
        {"role": "system", "content": "You are a calculator."},
        {"role": "user", "content": "x"},
    ]

    assert substitute(prefix, task) == [
        {"role": "system", "content": "Answer in words."},
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "a"},
        {"role": "user", "content": "x"},
    ]


def test_a_candidate_without_instruction_keeps_the_tasks_own_system_message():
    task = [{"role": "system", "content": "Mine."}, {"role": "user", "content": "x"}]

    assert substitute(Candidate("", (Demo("q", "a"),)).prefix(), task)[2:] == task


def test_equal_prompts_share_a_key_and_different_demos_do_not():
    one = Candidate("Be terse.", (Demo("q", "a"),))

    assert one.key() == Candidate.from_state(one.to_state()).key()
    assert one.key() != one.with_demos(()).key()


def test_a_task_app_that_built_its_messages_from_the_prompt_is_passed_through():
    prefix = Candidate("Answer in words.", (Demo("q", "a"),)).prefix()
    task = [*prefix, {"role": "user", "content": "x"}]

    assert substitute(prefix, task) == task
