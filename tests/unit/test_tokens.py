"""The prompt bound (what a reservation holds) and the typical estimate (what is charged when
the upstream reports nothing)."""

from synth_ai.domain.sessions.tokens import (
    FRAMING_PER_MESSAGE,
    FRAMING_PER_REQUEST,
    PromptCounts,
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


def test_a_conversation_the_upstream_counted_is_bounded_by_that_count_plus_the_new_bytes():
    counts = PromptCounts()
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    first = [{"role": "system", "content": "x" * 4000}, {"role": "user", "content": "go"}]
    assert counts.bound("m", first, tools) == prompt_bound(first, tools)  # nothing counted yet
    counts.learn("m", first, tools, 1010)
    later = [*first, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "机器"}]
    framing = FRAMING_PER_REQUEST + 2 * FRAMING_PER_MESSAGE
    assert counts.bound("m", later, tools) == 1010 + framing + 2 + 6
    assert counts.bound("m", first, tools) == 1010 + FRAMING_PER_REQUEST
    assert counts.bound("other-model", later, tools) == prompt_bound(later, tools)
    assert counts.bound("m", later, None) == prompt_bound(later)  # other tools: not the prefix


def test_prompt_counts_keep_only_the_most_recent_prompts():
    counts = PromptCounts(size=2)
    for n in range(3):
        counts.learn("m", [{"role": "user", "content": str(n)}], None, 5)
    assert counts.bound("m", [{"role": "user", "content": "0"}]) == prompt_bound(
        [{"role": "user", "content": "0"}]
    )
    assert counts.bound("m", [{"role": "user", "content": "2"}]) == 5 + FRAMING_PER_REQUEST
