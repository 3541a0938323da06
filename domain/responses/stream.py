"""The state machine from Chat Completions chunks to Responses streaming events.

``TurnStream`` is fed chat chunks (``feed``) and ends with exactly one of ``finish`` or
``fail``; each returns the events to send, numbered by ``sequence_number``. Invariants:

- item lifecycles never overlap: an item is closed (``…done``) before the next one is added;
- reasoning deltas (``reasoning_content`` or ``reasoning``) become a ``reasoning`` item;
- ``__internal_stop`` calls are swallowed: they end the turn as ``completed``;
- custom tool calls come back as ``custom_tool_call`` items with the raw ``input``;
- a tool call cut off by an upstream failure is dropped, so no client runs half a command;
- exactly one terminal event: ``response.completed``, ``response.incomplete`` or ``response.failed``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from attrs import define, field
from synth_ai.domain.responses import items as wire
from synth_ai.domain.responses.translate import ToolCatalog
from synth_ai.domain.sessions.model import Usage
from synth_ai.domain.sessions.tokens import estimate_tokens
from synth_ai.ports.clock import IdGenerator

INCOMPLETE_REASONS = {"length": "max_output_tokens", "content_filter": "content_filter"}


@define
class _Call:
    index: int
    call_id: str = ""
    name: str = ""
    arguments: str = ""
    item_id: str = ""
    kind: str = ""  # function | custom | stop, known once the name is
    output_index: int = -1  # -1 while not added


@define
class _Open:
    kind: str  # reasoning | message | call
    item_id: str
    output_index: int
    text: list[str] = field(factory=list)
    call: _Call | None = None


class TurnStream:
    def __init__(
        self,
        *,
        response_id: str,
        created_at: float,
        model: str,
        echo: Mapping[str, Any],
        tools: ToolCatalog,
        ids: IdGenerator,
        prompt_estimate: int = 0,
    ):
        self.response_id = response_id
        self.created_at = created_at
        self.model = model
        self.echo = echo
        self.tools = tools
        self.ids = ids
        self.prompt_estimate = prompt_estimate
        self.output: list[dict[str, Any]] = []
        self.status = "in_progress"
        self.error: dict[str, Any] | None = None
        self.incomplete_details: dict[str, Any] | None = None
        self.stop_arguments: str | None = None
        self.chunks_seen = 0
        self._seq = 0
        self._open: _Open | None = None
        self._calls: dict[int, _Call] = {}
        self._finish_reason: str | None = None
        self._usage: dict[str, Any] | None = None
        self._generated: list[str] = []
        self._reasoning_chars = 0

    # -- public API ---------------------------------------------------------------------------
    def start(self) -> list[dict[str, Any]]:
        snapshot = self.response()
        return [
            self._event("response.created", response=snapshot),
            self._event("response.in_progress", response=snapshot),
        ]

    def feed(self, chunk: Mapping[str, Any]) -> list[dict[str, Any]]:
        self.chunks_seen += 1
        events: list[dict[str, Any]] = []
        if chunk.get("usage"):
            self._usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or choice.get("message") or {}
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                events += self._reasoning(reasoning)
            content = delta.get("content")
            if isinstance(content, str) and content:
                events += self._text(content)
            for call in delta.get("tool_calls") or []:
                events += self._tool_delta(call)
            if isinstance(choice.get("finish_reason"), str) and choice["finish_reason"]:
                self._finish_reason = choice["finish_reason"]
        return events

    def finish(self) -> list[dict[str, Any]]:
        """The end of a healthy upstream stream: close what is open, then the terminal event."""
        waiting = [  # calls that waited while another streamed
            call
            for call in sorted(self._calls.values(), key=lambda c: c.index)
            if call.output_index < 0 and call.name and not call.kind
        ]
        # A length or content-filter cut leaves the last item unfinished: it closes incomplete.
        cut = "incomplete" if self._finish_reason in INCOMPLETE_REASONS else "completed"
        events = self._close(status="completed" if waiting else cut)
        for call in waiting:
            events += self._open_call(call)
            events += self._close(status=cut if call is waiting[-1] else "completed")
        if self.stop_arguments is not None and not wire.output_text_of(self.output):
            final = _final_message(self.stop_arguments)
            if final:
                events += self._text(final) + self._close()
        if self.stop_arguments is None and self._finish_reason in INCOMPLETE_REASONS:
            self.status = "incomplete"
            self.incomplete_details = {"reason": INCOMPLETE_REASONS[self._finish_reason]}
        else:
            self.status = "completed"
        return events + [self._terminal()]

    def fail(self, code: str, message: str) -> list[dict[str, Any]]:
        """The upstream failed: close open text, drop a half-streamed call, send ``response.failed``."""
        events: list[dict[str, Any]] = []
        if self._open is not None and self._open.kind == "call":
            self.output.pop()
            self._open = None
        events += self._close(status="incomplete")
        self.status = "failed"
        self.error = {"code": code, "message": message}
        return events + [self._terminal()]

    def response(self) -> dict[str, Any]:
        usage = self.usage()
        return wire.response_object(
            response_id=self.response_id,
            created_at=self.created_at,
            model=self.model,
            status=self.status,
            output=list(self.output),
            echo=self.echo,
            usage=None
            if self.status == "in_progress"
            else wire.usage_object(
                usage.input_tokens,
                usage.output_tokens,
                usage.cached_tokens,
                self._reasoning_tokens(),
            ),
            error=self.error,
            incomplete_details=self.incomplete_details,
        )

    @property
    def upstream_usage(self) -> dict[str, Any] | None:
        """The ``usage`` object the stream carried, if any."""
        return self._usage

    def usage(self) -> Usage:
        """Real usage when the upstream reported it, else an estimate of what was consumed."""
        if self._usage:
            return Usage.from_openai(self._usage)
        if not self.chunks_seen:
            return Usage(api_calls=1)
        output = sum(estimate_tokens(text) for text in self._generated) if self._generated else 0
        return Usage(input_tokens=self.prompt_estimate, output_tokens=output, api_calls=1)

    @property
    def sequence(self) -> int:
        return self._seq

    # -- items ------------------------------------------------------------------------------
    def _reasoning(self, text: str) -> list[dict[str, Any]]:
        self._reasoning_chars += len(text)
        return self._delta("reasoning", "response.reasoning_text.delta", text)

    def _text(self, text: str) -> list[dict[str, Any]]:
        return self._delta("message", "response.output_text.delta", text, logprobs=[])

    def _delta(self, kind: str, event_type: str, text: str, **extra: Any) -> list[dict[str, Any]]:
        """Open a ``kind`` item unless it is the open one, then stream ``text`` into it."""
        self._generated.append(text)
        events = [] if self._is_open(kind) else self._close() + self._add(kind)
        opened = self._open
        assert opened is not None  # the open item is now a ``kind`` one
        opened.text.append(text)
        return events + [
            self._event(
                event_type,
                item_id=opened.item_id,
                output_index=opened.output_index,
                content_index=0,
                delta=text,
                **extra,
            )
        ]

    def _tool_delta(self, delta: Mapping[str, Any]) -> list[dict[str, Any]]:
        index = int(delta.get("index", len(self._calls)))
        call = self._calls.get(index)
        if call is None:
            call = self._calls[index] = _Call(index)
        function = delta.get("function") or {}
        if delta.get("id") and not call.call_id:
            call.call_id = delta["id"]
        if function.get("name") and not call.name:
            call.name = function["name"]
        fragment = function.get("arguments") or ""
        if fragment:
            self._generated.append(fragment)
        events: list[dict[str, Any]] = []
        if call.output_index < 0 and call.kind != "stop" and call.name:
            call.arguments += fragment
            if self._is_open("call"):
                # Another call is streaming. Upstreams may interleave the deltas of parallel
                # calls, so this one waits, whole, for ``finish`` instead of closing that one
                # with arguments still to come.
                return events
            return events + self._open_call(call)
        call.arguments += fragment
        if call.kind == "stop":
            self.stop_arguments = call.arguments
        elif (
            fragment
            and call.kind == "function"
            and self._is_open("call")
            and self._open is not None
            and self._open.call is call
        ):
            events.append(
                self._event(
                    "response.function_call_arguments.delta",
                    item_id=call.item_id,
                    output_index=call.output_index,
                    delta=fragment,
                )
            )
        return events

    def _open_call(self, call: _Call) -> list[dict[str, Any]]:
        call.kind = self.tools.kind_of(call.name)
        call.call_id = call.call_id or self.ids.new_id("call")
        if call.kind == "stop":
            self.stop_arguments = call.arguments
            return []
        events = self._close()
        call.item_id = self.ids.new_id("fc" if call.kind == "function" else "ctc")
        call.output_index = len(self.output)
        item = self._call_item(call, status="in_progress", empty=True)
        self.output.append(item)
        self._open = _Open("call", call.item_id, call.output_index, call=call)
        events.append(
            self._event("response.output_item.added", output_index=call.output_index, item=item)
        )
        if call.arguments and call.kind == "function":
            events.append(
                self._event(
                    "response.function_call_arguments.delta",
                    item_id=call.item_id,
                    output_index=call.output_index,
                    delta=call.arguments,
                )
            )
        return events

    def _call_item(self, call: _Call, *, status: str, empty: bool = False) -> dict[str, Any]:
        if call.kind == "custom":
            item = wire.custom_tool_call_item(
                call.item_id,
                call.call_id,
                call.name,
                "" if empty else _custom_input(call.arguments),
                status,
            )
        else:
            item = wire.function_call_item(
                call.item_id, call.call_id, call.name, "" if empty else call.arguments, status
            )
        if call.name in self.tools.namespaces:
            item["namespace"] = self.tools.namespaces[call.name]
        return item

    def _is_open(self, kind: str) -> bool:
        return self._open is not None and self._open.kind == kind

    def _add(self, kind: str) -> list[dict[str, Any]]:
        item_id = self.ids.new_id("rs" if kind == "reasoning" else "msg")
        output_index = len(self.output)
        item = (wire.reasoning_item if kind == "reasoning" else wire.message_item)(
            item_id, None, "in_progress"
        )
        self.output.append(item)
        self._open = _Open(kind, item_id, output_index)
        part = (
            {"type": "reasoning_text", "text": ""} if kind == "reasoning" else wire.output_text("")
        )
        return [
            self._event("response.output_item.added", output_index=output_index, item=item),
            self._event(
                "response.content_part.added",
                item_id=item_id,
                output_index=output_index,
                content_index=0,
                part=part,
            ),
        ]

    def _close(self, status: str = "completed") -> list[dict[str, Any]]:
        opened, self._open = self._open, None
        if opened is None:
            return []
        index, item_id = opened.output_index, opened.item_id
        if opened.kind == "call":
            call = opened.call
            assert call is not None  # an open "call" item always holds its call
            item = self._call_item(call, status=status)
            self.output[index] = item
            if call.kind == "custom":
                done = [
                    self._event(
                        "response.custom_tool_call_input.delta",
                        item_id=item_id,
                        output_index=index,
                        delta=item["input"],
                    ),
                    self._event(
                        "response.custom_tool_call_input.done",
                        item_id=item_id,
                        output_index=index,
                        input=item["input"],
                    ),
                ]
            else:
                done = [
                    self._event(
                        "response.function_call_arguments.done",
                        item_id=item_id,
                        output_index=index,
                        arguments=call.arguments,
                        name=call.name,
                    )
                ]
            return done + [self._event("response.output_item.done", output_index=index, item=item)]
        text = "".join(opened.text)
        if opened.kind == "reasoning":
            item = wire.reasoning_item(item_id, text, status)
            part = item["content"][0]
            text_done = self._event(
                "response.reasoning_text.done",
                item_id=item_id,
                output_index=index,
                content_index=0,
                text=text,
            )
        else:
            item = wire.message_item(item_id, text, status)
            part = item["content"][0]
            text_done = self._event(
                "response.output_text.done",
                item_id=item_id,
                output_index=index,
                content_index=0,
                text=text,
                logprobs=[],
            )
        self.output[index] = item
        return [
            text_done,
            self._event(
                "response.content_part.done",
                item_id=item_id,
                output_index=index,
                content_index=0,
                part=part,
            ),
            self._event("response.output_item.done", output_index=index, item=item),
        ]

    # -- events -----------------------------------------------------------------------------
    def _terminal(self) -> dict[str, Any]:
        return self._event(wire.TERMINAL_EVENTS[self.status], response=self.response())

    def _event(self, kind: str, **data: Any) -> dict[str, Any]:
        event = {"type": kind, "sequence_number": self._seq, **data}
        self._seq += 1
        return event

    def _reasoning_tokens(self) -> int:
        details = (self._usage or {}).get("completion_tokens_details") or {}
        if details.get("reasoning_tokens"):
            return int(details["reasoning_tokens"])
        return estimate_tokens("x" * self._reasoning_chars) if self._reasoning_chars else 0


def _custom_input(arguments: str) -> str:
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return arguments
    if isinstance(value, dict) and isinstance(value.get("input"), str):
        return str(value["input"])
    return arguments


def _final_message(arguments: str) -> str:
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return ""
    message = value.get("final_message") if isinstance(value, dict) else None
    return message.strip() if isinstance(message, str) else ""
