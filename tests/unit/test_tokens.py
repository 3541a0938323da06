"""The prompt bound (what a reservation holds) and the typical estimate (what is charged when
the upstream reports nothing)."""

from synth_ai.domain.sessions.tokens import (
    FRAMING_PER_MESSAGE,
    FRAMING_PER_REQUEST,
    TokenCounter,
    estimate_tokens,
    prompt_bound,
    prompt_estimate,
)

LATIN = "The quick brown fox jumps over the lazy dog. " * 20
CJK = "机器学习模型的预算永远不会超支。" * 20
EMOJI = "🙂🚀🔥👍🏽" * 20


def test_the_prompt_bound_counts_one_token_per_utf8_byte_plus_framing():
    for text in (LATIN, CJK, EMOJI):
        messages = [{"role": "user", "content": text}]
        framing = FRAMING_PER_REQUEST + FRAMING_PER_MESSAGE
        assert prompt_bound(messages) == framing + len(text.encode())


def test_the_prompt_bound_covers_content_parts_tool_calls_and_tools():
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "数" * 10}]},
        {"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]},
    ]
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    assert prompt_bound(messages, tools) > prompt_bound(messages) > 30


def test_the_estimate_counts_ascii_at_four_characters_a_token_and_other_text_by_its_width():
    assert estimate_tokens("abcdefgh") == 2
    assert estimate_tokens("abcdefghi") == 3
    assert estimate_tokens("") == 0
    assert estimate_tokens("привет") == 3  # 2-byte characters: half a token each
    assert estimate_tokens("机器学习") == 4  # 3-byte: one each
    assert estimate_tokens("🙂🚀") == 4  # 4-byte: two each


def test_the_estimate_never_exceeds_the_bound_for_any_script():
    for text in (LATIN, CJK, EMOJI, "é" * 99, "x"):
        messages = [{"role": "user", "content": text}]
        assert prompt_estimate(messages) <= prompt_bound(messages)


def test_a_counter_keeps_the_prefix_that_fits_under_a_limit():
    counter = TokenCounter()
    counter.add("abcd")  # 1 token
    assert counter.fitting("efghijkl机器", 3) == "efghijkl"  # 3 tokens; 机 would make 5
    assert counter.tokens == 3
    assert counter.fitting("", 3) == "" and counter.fitting("z", 3) == ""
