"""Token counts: the one place that says how many tokens a prompt or an answer may hold.

Two numbers, for two purposes:

- ``prompt_bound`` is what a reservation holds for the prompt. It is an upper bound for any
  text on every byte-level BPE tokenizer (GPT, Llama 3, Qwen, Mistral Tekken, …) and on
  SentencePiece with byte fallback: a token covers at least one UTF-8 byte, so a string never
  takes more tokens than it has bytes. Chat-template framing is added per message.
- ``estimate_tokens`` is the typical count, used where the upstream reports nothing (a stream
  we cut, an upstream without usage) and to count an answer as it streams: ASCII at four
  characters per token; a 2-byte character (accented Latin, Cyrillic, Greek, Arabic) at half a
  token, a 3-byte one (CJK) at one, a 4-byte one (emoji) at two. It is always under the byte
  count, so it always fits what ``prompt_bound`` holds.
"""

from __future__ import annotations

import json
import math

# Role markers and separators a chat template wraps each message in, and the assistant header
# the answer starts after (no template in use spends more).
FRAMING_PER_MESSAGE = 8
FRAMING_PER_REQUEST = 8


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def prompt_bound(messages: list | None, tools: list | None = None) -> int:
    """An upper bound on the prompt tokens of ``messages`` and ``tools`` (see the module)."""
    total = FRAMING_PER_REQUEST
    for message in messages or []:
        total += FRAMING_PER_MESSAGE + utf8_bytes(_text_of(message))
    if tools:
        total += utf8_bytes(json.dumps(tools, ensure_ascii=False))
    return total


def prompt_estimate(messages: list | None, tools: list | None = None) -> int:
    """The typical prompt count, charged when the upstream reports no usage."""
    total = 0
    for message in messages or []:
        total += 4 + estimate_tokens(_text_of(message))
    if tools:
        total += estimate_tokens(json.dumps(tools, ensure_ascii=False))
    return total


def estimate_tokens(text: str) -> int:
    """The typical token count of ``text`` (see the module); 0 for an empty string."""
    counter = TokenCounter()
    counter.add(text)
    return counter.tokens


# Quarter tokens per character, by the length of its UTF-8 encoding.
_QUARTERS = {1: 1, 2: 2, 3: 4, 4: 8}


class TokenCounter:
    """Counts ``estimate_tokens`` of text arriving in pieces, and says how much of a piece
    still fits under a limit (to cut a stream exactly at it)."""

    def __init__(self) -> None:
        self.quarters = 0

    @property
    def tokens(self) -> int:
        return math.ceil(self.quarters / 4)

    def add(self, text: str) -> None:
        self.quarters += sum(_quarters(char) for char in text)

    def fitting(self, text: str, limit: int) -> str:
        """The longest prefix of ``text`` that keeps the count at or under ``limit``; the
        prefix is counted."""
        room = limit * 4 - self.quarters
        for index, char in enumerate(text):
            cost = _quarters(char)
            if cost > room:
                return text[:index]
            room -= cost
            self.quarters += cost
        return text


def _quarters(char: str) -> int:
    return 1 if char < "\x80" else _QUARTERS[utf8_bytes(char)]


def _text_of(message) -> str:
    """Every string of a message but its role (the framing covers it): name, content parts,
    tool calls and their arguments."""
    if isinstance(message, str):
        return message
    if isinstance(message, dict):
        return " ".join(_text_of(value) for key, value in message.items() if key != "role")
    if isinstance(message, list | tuple):
        return " ".join(_text_of(value) for value in message)
    if message is None:
        return ""
    return str(message)
