"""A ``chat.completion`` put together from the chunks of a stream.

Non-streaming requests are streamed from the upstream internally so that ``OutputCap`` can
cut them the same way; the client still gets one ``chat.completion`` object.
"""

from __future__ import annotations

from typing import Any

from attrs import define, field


@define
class _Choice:
    index: int
    role: str = "assistant"
    content: list[str] = field(factory=list)
    reasoning: list[str] = field(factory=list)
    reasoning_key: str = "reasoning_content"
    calls: dict[int, dict[str, Any]] = field(factory=dict)
    finish_reason: str | None = None

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self.role, "content": "".join(self.content) or None}
        if self.reasoning:
            message[self.reasoning_key] = "".join(self.reasoning)
        if self.calls:
            message["tool_calls"] = [self.calls[i] for i in sorted(self.calls)]
        return message


class CompletionBuilder:
    def __init__(self) -> None:
        self._head: dict[str, Any] = {}
        self._choices: dict[int, _Choice] = {}
        self.usage: dict[str, Any] | None = None

    def add(self, chunk: dict[str, Any]) -> None:
        if not self._head:
            self._head = {
                key: chunk[key]
                for key in ("id", "created", "model", "system_fingerprint")
                if key in chunk
            }
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        for raw in chunk.get("choices") or []:
            index = int(raw.get("index", 0))
            choice = self._choices.setdefault(index, _Choice(index))
            delta = raw.get("delta") or {}
            if delta.get("role"):
                choice.role = delta["role"]
            if isinstance(delta.get("content"), str):
                choice.content.append(delta["content"])
            for key in ("reasoning_content", "reasoning"):
                if isinstance(delta.get(key), str) and delta[key]:
                    choice.reasoning_key = key
                    choice.reasoning.append(delta[key])
            for call in delta.get("tool_calls") or []:
                entry = choice.calls.setdefault(
                    int(call.get("index", len(choice.calls))),
                    {"id": None, "type": "function", "function": {"name": "", "arguments": ""}},
                )
                if call.get("id"):
                    entry["id"] = call["id"]
                function = call.get("function") or {}
                entry["function"]["name"] += function.get("name") or ""
                entry["function"]["arguments"] += function.get("arguments") or ""
            if raw.get("finish_reason"):
                choice.finish_reason = raw["finish_reason"]

    def completion(self) -> dict[str, Any]:
        result = {
            "id": self._head.get("id", "chatcmpl-assembled"),
            "object": "chat.completion",
            "created": self._head.get("created", 0),
            "model": self._head.get("model"),
            "choices": [
                {
                    "index": choice.index,
                    "message": choice.message(),
                    "finish_reason": choice.finish_reason or "stop",
                }
                for choice in sorted(self._choices.values(), key=lambda c: c.index)
            ],
        }
        if "system_fingerprint" in self._head:
            result["system_fingerprint"] = self._head["system_fingerprint"]
        if self.usage:
            result["usage"] = self.usage
        return result


def completion_chunks(completion: dict[str, Any]) -> list[dict[str, Any]]:
    """A non-streaming ``chat.completion`` as the chunks a stream of it would have sent."""
    chunks = []
    for choice in completion.get("choices") or []:
        message = dict(choice.get("message") or {})
        calls = [
            {"index": i, **call} for i, call in enumerate(message.pop("tool_calls", None) or [])
        ]
        chunks.append(
            {
                "choices": [
                    {
                        "index": choice.get("index", 0),
                        "delta": {**message, "tool_calls": calls},
                        "finish_reason": choice.get("finish_reason"),
                    }
                ]
            }
        )
    if completion.get("usage"):
        chunks.append({"choices": [], "usage": completion["usage"]})
    return chunks
