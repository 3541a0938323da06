"""``MeteredChat``: one Chat Completions call through the upstream, charged to a session.

The route calls ``prepare`` (bad input fails here), then ``reserve`` (the budget: ``LimitExceeded``
before anything is spent), then ``complete`` (the finished ``chat.completion``) or ``stream``
(the upstream's chunks, then ``DONE``). Both settle the charge exactly once, also when the
upstream fails or the client goes away mid-stream (the generator settles in ``finally``); an
upstream that reports no usage is charged the documented estimate of both sides.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from attrs import frozen
from synth_ai.domain.chat.errors import UpstreamNotConfigured
from synth_ai.domain.errors import InvalidInput, SynthError
from synth_ai.domain.sessions.model import Usage
from synth_ai.domain.sessions.pricing import PriceTable
from synth_ai.domain.sessions.tokens import estimate_tokens, prompt_tokens
from synth_ai.ports.chat import ChatProvider, ChatStream
from synth_ai.ports.metering import Charge, Meter

log = logging.getLogger(__name__)

DONE = "[DONE]"  # the last item of a stream that ended normally


@frozen
class ChatCall:
    """A checked Chat Completions request."""

    body: dict[str, Any]
    model: str
    messages: list[dict[str, Any]]
    max_output_tokens: int | None  # the larger of max_tokens / max_completion_tokens
    stream: bool
    choices: int  # ``n``: answers the upstream writes, each up to the output cap


class MeteredChat:
    def __init__(self, chat: ChatProvider, prices: PriceTable):
        self.chat = chat
        self.prices = prices

    def _require_upstream(self) -> None:
        if not getattr(self.chat, "configured", True):
            raise UpstreamNotConfigured()

    def prepare(self, body: dict[str, Any]) -> ChatCall:
        model = body.get("model")
        if not isinstance(model, str) or not model.strip():
            raise InvalidInput(
                f"'model' must be a non-empty string, got {model!r} — e.g. \"synth-small\"",
                param="model",
            )
        messages = body.get("messages")
        if (
            not isinstance(messages, list)
            or not messages
            or not all(isinstance(m, dict) for m in messages)
        ):
            raise InvalidInput(
                "'messages' must be a non-empty list of message objects, got "
                f"{json.dumps(messages)[:100]}",
                param="messages",
            )
        max_out = None
        for key in ("max_completion_tokens", "max_tokens"):
            value = body.get(key)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InvalidInput(f"'{key}' must be a positive integer, got {value!r}", param=key)
            # Upstreams differ in which of the two they honour: reserve for the larger.
            max_out = value if max_out is None else max(max_out, value)
        stream = body.get("stream", False)
        if not isinstance(stream, bool):
            raise InvalidInput(f"'stream' must be true or false, got {stream!r}", param="stream")
        n = body.get("n", 1)
        if n is None:
            n = 1
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise InvalidInput(f"'n' must be a positive integer, got {n!r}", param="n")
        self._require_upstream()
        return ChatCall(body, model, messages, max_out, stream, n)

    def reserve(self, call: ChatCall, meter: Meter) -> tuple[ChatCall, Charge]:
        """Reserve the worst case; the call returned holds the upstream to what was reserved."""
        charge = meter.reserve(
            model=call.model,
            prompt_tokens=prompt_tokens(call.messages, call.body.get("tools")),
            max_output_tokens=call.max_output_tokens,
            choices=call.choices,
        )
        if call.max_output_tokens is None and charge.max_output_tokens:
            # The reservation assumed [session] max_output_tokens: hold the upstream to it.
            body = {**call.body, "max_completion_tokens": charge.max_output_tokens}
            call = ChatCall(body, call.model, call.messages, None, call.stream, call.choices)
        return call, charge

    def complete(self, call: ChatCall, charge: Charge) -> dict[str, Any]:
        try:
            result = self.chat.complete(call.body)
        except BaseException:
            charge.settle(Usage())
            raise
        if result.get("usage"):
            charge.settle(Usage.from_openai(result["usage"]))
        else:
            text = "".join(
                _output_text((choice or {}).get("message") or {})
                for choice in result.get("choices") or []
            )
            charge.settle(_estimated_usage(call.messages, text))
        return result

    def stream(self, call: ChatCall, charge: Charge) -> Iterator[dict[str, Any] | str]:
        """Start the upstream stream now (its failure is an ordinary error), then relay its
        chunks; a failure mid-stream is one error item. Settles whatever happened, once."""
        try:
            upstream = self.chat.stream(call.body)
        except BaseException:
            charge.settle(Usage())
            raise
        wants_usage = bool((call.body.get("stream_options") or {}).get("include_usage"))
        return _relay(upstream, charge, call.messages, wants_usage)

    def models(self) -> list[dict[str, Any]]:
        """The models the upstream serves, each with its price."""
        self._require_upstream()
        data = []
        for model in self.chat.models():
            price = self.prices.price_for(model["id"])
            data.append(
                {
                    **model,
                    "pricing": {
                        "input_per_million": price.input,
                        "output_per_million": price.output,
                        "cached_per_million": price.cached,
                    },
                }
            )
        return data


def _relay(
    upstream: ChatStream, charge: Charge, messages: list[dict[str, Any]], wants_usage: bool
) -> Iterator[dict[str, Any] | str]:
    usage = None
    output: list[str] = []
    try:
        for chunk in upstream:
            if chunk.get("usage"):
                usage = chunk["usage"]
            for choice in chunk.get("choices") or []:
                output.append(_output_text(choice.get("delta") or {}))
            if not chunk.get("choices") and chunk.get("usage") and not wants_usage:
                continue  # the client did not ask for the usage chunk we requested for metering
            yield chunk
        yield DONE
    except SynthError as exc:
        log.warning("chat stream failed: %s", exc.message)
        yield exc.body()
    finally:
        upstream.close()
        if usage:
            charge.settle(Usage.from_openai(usage))
        elif output:  # the upstream answered but reported no usage (or the client left early)
            charge.settle(_estimated_usage(messages, "".join(output)))
        else:
            charge.settle(Usage())


def _estimated_usage(messages: list[dict[str, Any]], output_text: str) -> Usage:
    """When the upstream reports no usage: the documented chars/4 estimate of both sides."""
    prompt = sum(estimate_tokens(json.dumps(m.get("content") or "")) + 4 for m in messages)
    return Usage(input_tokens=prompt, output_tokens=estimate_tokens(output_text), api_calls=1)


def _output_text(message_or_delta: Mapping[str, Any]) -> str:
    parts = [message_or_delta.get("content") or "", message_or_delta.get("reasoning_content") or ""]
    for call in message_or_delta.get("tool_calls") or []:
        function = call.get("function") or {}
        parts.append((function.get("name") or "") + (function.get("arguments") or ""))
    return "".join(p for p in parts if isinstance(p, str))
