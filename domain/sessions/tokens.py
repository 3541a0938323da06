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

import hashlib
import json
import math
import threading
from collections import OrderedDict
from typing import Any

# Role markers and separators a chat template wraps each message in, and the assistant header
# the answer starts after (no template in use spends more).
FRAMING_PER_MESSAGE = 8
FRAMING_PER_REQUEST = 8


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def prompt_bound(messages: list[Any] | None, tools: list[Any] | None = None) -> int:
    """An upper bound on the prompt tokens of ``messages`` and ``tools`` (see the module)."""
    total = FRAMING_PER_REQUEST
    for message in messages or []:
        total += FRAMING_PER_MESSAGE + utf8_bytes(_text_of(message))
    if tools:
        total += utf8_bytes(json.dumps(tools, ensure_ascii=False))
    return total


def prompt_estimate(messages: list[Any] | None, tools: list[Any] | None = None) -> int:
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


def _text_of(message: Any) -> str:
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


class PromptCounts:
    """What the upstream counted for prompts it was already sent, to bound a longer prompt that
    starts with one of them more tightly than one token per byte.

    Chat templates delimit every message with special tokens, so a conversation that starts
    with messages the upstream already counted takes that count plus, at most, one token per
    UTF-8 byte and the framing of each message added. Agents such as Codex resend the whole
    conversation every turn, so from the second turn on only what is new is bounded by bytes.
    Counts are kept per model, in memory, for the ``size`` most recent prompts.
    """

    def __init__(self, size: int = 4096):
        self._size = size
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _prefix_keys(model: str, messages: list[Any], tools: list[Any] | None) -> list[str]:
        digest = hashlib.sha256(json.dumps([model, tools or []], sort_keys=True).encode())
        keys = []
        for message in messages:
            digest.update(b"\x1e" + json.dumps(message, sort_keys=True).encode())
            keys.append(digest.copy().hexdigest())
        return keys

    def learn(
        self, model: str, messages: list[Any], tools: list[Any] | None, prompt_tokens: int
    ) -> None:
        if not messages or prompt_tokens <= 0:
            return
        key = self._prefix_keys(model, messages, tools)[-1]
        with self._lock:
            self._seen[key] = prompt_tokens
            self._seen.move_to_end(key)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)

    def bound(self, model: str, messages: list[Any], tools: list[Any] | None = None) -> int:
        """The counted prefix plus the byte bound of the rest; ``prompt_bound`` when no prefix
        of this conversation was counted."""
        keys = self._prefix_keys(model, messages, tools)
        with self._lock:
            for end in range(len(keys), 0, -1):
                counted = self._seen.get(keys[end - 1])
                if counted is not None:
                    rest = messages[end:]
                    return (
                        counted
                        + FRAMING_PER_REQUEST
                        + sum(FRAMING_PER_MESSAGE + utf8_bytes(_text_of(m)) for m in rest)
                    )
        return prompt_bound(messages, tools)
