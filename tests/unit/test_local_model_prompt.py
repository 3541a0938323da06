"""The local provider's pure parts: Gemma's turn format, stop strings over a token stream, and
the ``[upstream]`` settings that select it."""

import pytest
from synth_ai.adapters.llama_cpp.stop_text import StopText
from synth_ai.adapters.llama_cpp.turns import gemma_prompt
from synth_ai.domain.errors import InvalidInput
from synth_ai.settings.config import Settings
from synth_ai.settings.upstream import LocalModelSettings, upstream_provider


def test_a_conversation_is_rendered_in_gemma_turns_ending_with_an_open_model_turn():
    prompt = gemma_prompt(
        [
            {"role": "user", "content": "great film"},
            {"role": "assistant", "content": "positive"},
            {"role": "user", "content": "dull film"},
        ]
    )
    assert prompt == (
        "<start_of_turn>user\ngreat film<end_of_turn>\n"
        "<start_of_turn>model\npositive<end_of_turn>\n"
        "<start_of_turn>user\ndull film<end_of_turn>\n"
        "<start_of_turn>model\n"
    )


def test_system_and_developer_messages_are_folded_into_the_first_user_turn():
    prompt = gemma_prompt(
        [
            {"role": "system", "content": "Answer with one word."},
            {"role": "developer", "content": "Be terse."},
            {"role": "user", "content": [{"type": "input_text", "text": "hello"}]},
        ]
    )
    assert prompt == (
        "<start_of_turn>user\nAnswer with one word.\n\nBe terse.\n\nhello<end_of_turn>\n"
        "<start_of_turn>model\n"
    )


def test_a_system_message_alone_still_makes_a_user_turn():
    assert gemma_prompt([{"role": "system", "content": "Say hi."}]) == (
        "<start_of_turn>user\nSay hi.<end_of_turn>\n<start_of_turn>model\n"
    )


def test_consecutive_messages_of_one_role_share_a_turn_and_tool_results_are_user_text():
    prompt = gemma_prompt(
        [
            {"role": "user", "content": "a"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"function": {"name": "ls", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "x.txt"},
            {"role": "user", "content": "b"},
        ]
    )
    assert prompt == (
        "<start_of_turn>user\na<end_of_turn>\n"
        "<start_of_turn>model\nCall ls({})<end_of_turn>\n"
        "<start_of_turn>user\nTool result: x.txt\n\nb<end_of_turn>\n"
        "<start_of_turn>model\n"
    )


def feed(stops, pieces):
    text = StopText(tuple(stops))
    out, stopped = [], False
    for piece in pieces:
        emitted, stopped = text.push(piece.encode())
        out.append(emitted)
        if stopped:
            break
    if not stopped:
        out.append(text.flush())
    return out, stopped


def test_text_ends_before_a_stop_string_split_across_tokens_and_none_of_it_is_shown():
    out, stopped = feed(["\n\n"], ["posi", "tive", "\n", "\nnext"])
    assert stopped and "".join(out) == "positive"
    assert out[2] == ""  # the lone newline was held back, not streamed


def test_a_held_back_tail_that_is_not_a_stop_is_released():
    out, stopped = feed(["END"], ["the E", "ND", "x"])
    assert stopped and "".join(out) == "the "
    out, stopped = feed(["END"], ["the E", "ast"])
    assert not stopped and "".join(out) == "the East"


def test_an_answer_cut_part_way_through_a_turn_marker_ends_without_it():
    text = StopText(("x",), markers=("<end_of_turn>",))
    assert text.push(b"positive<end") == ("positive", False)
    assert text.flush() == ""
    plain = StopText(("<end_of_turn>",))  # a stop of the request's own is text when cut short
    assert plain.push(b"positive<end") == ("positive", False)
    assert plain.flush() == "<end"


def test_a_multibyte_character_split_across_tokens_is_decoded_whole():
    text = StopText(())
    data = "é".encode()
    assert text.push(data[:1]) == ("", False)
    assert text.push(data[1:]) == ("é", False)


def test_the_provider_is_openai_unless_upstream_provider_says_local():
    settings = Settings(home=None)
    assert upstream_provider(settings, {}) == "openai"
    settings.document = {"upstream": {"provider": "local"}}
    assert upstream_provider(settings, {}) == "local"
    assert (
        upstream_provider(Settings(home=None), {"SYNTH_AI_UPSTREAM_PROVIDER": "LOCAL"}) == "local"
    )


def test_an_unknown_provider_is_refused_with_the_choices():
    settings = Settings(home=None, document={"upstream": {"provider": "llamafile"}})
    with pytest.raises(InvalidInput, match="openai, local, got 'llamafile'"):
        upstream_provider(settings, {})


def test_local_model_settings_read_the_upstream_table_and_the_environment():
    settings = Settings(
        home=None,
        document={"upstream": {"model_path": "/m.gguf", "context_size": 1024, "threads": 1}},
    )
    local = LocalModelSettings.from_settings(settings, {})
    assert (local.model_path, local.context_size, local.threads) == ("/m.gguf", 1024, 1)
    env = {"SYNTH_AI_LOCAL_MODEL_PATH": "/other.gguf", "SYNTH_AI_LOCAL_THREADS": "2"}
    local = LocalModelSettings.from_settings(settings, env)
    assert (local.model_path, local.threads) == ("/other.gguf", 2)
    with pytest.raises(InvalidInput, match="context_size must be a positive integer"):
        LocalModelSettings.from_settings(
            Settings(home=None, document={"upstream": {"context_size": "big"}}), {}
        )
