"""Chat messages → one prompt in Gemma's turn format.

The packaged Gemma 3 270M is a base model whose GGUF carries no chat template; left to itself,
llama-cpp-python falls back to a generic template the model never saw and answers garbage. So
the provider renders the turns the way Gemma was trained on::

    <start_of_turn>user
    {system}

    {first user message}<end_of_turn>
    <start_of_turn>model
    {assistant message}<end_of_turn>
    <start_of_turn>model          <- the open turn the model completes

Gemma has no system role: system and developer messages are folded into the first user turn
(as Gemma's own template does). Tool results become user turns, assistant tool calls are shown
as text; consecutive messages of one role are joined, because Gemma's turns alternate. The BOS
token is added by the tokenizer, not written here.
"""

from __future__ import annotations

START = "<start_of_turn>"
END = "<end_of_turn>"
_ROLES = {"user": "user", "assistant": "model", "tool": "user", "function": "user"}


def text_of(content) -> str:
    """A message's text: a string, or the text of a list of content parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "".join(parts)
    return str(content)


def _message_text(message: dict) -> str:
    text = text_of(message.get("content"))
    role = message.get("role")
    if role in ("tool", "function"):
        return f"Tool result: {text}"
    calls = message.get("tool_calls") or []
    shown = [
        f"Call {(c.get('function') or {}).get('name')}"
        f"({(c.get('function') or {}).get('arguments') or ''})"
        for c in calls
        if isinstance(c, dict)
    ]
    return "\n".join(p for p in [text, *shown] if p)


def gemma_prompt(messages: list[dict]) -> str:
    """The prompt for ``messages``, ending with an open model turn."""
    system: list[str] = []
    turns: list[tuple[str, str]] = []
    for message in messages:
        role = message.get("role")
        if role in ("system", "developer"):
            system.append(text_of(message.get("content")))
            continue
        gemma_role = _ROLES.get(str(role), "user")
        text = _message_text(message)
        if turns and turns[-1][0] == gemma_role:
            turns[-1] = (gemma_role, f"{turns[-1][1]}\n\n{text}")
        else:
            turns.append((gemma_role, text))
    preamble = "\n\n".join(s for s in system if s)
    if preamble:
        if turns and turns[0][0] == "user":
            turns[0] = ("user", f"{preamble}\n\n{turns[0][1]}")
        else:
            turns.insert(0, ("user", preamble))
    rendered = "".join(f"{START}{role}\n{text}{END}\n" for role, text in turns)
    return f"{rendered}{START}model\n"
