"""``MeteredChat``: one Chat Completions call through the upstream, charged to a session.

The route calls ``prepare`` (bad input fails here), then ``reserve`` (the budget: ``LimitExceeded``
before anything is spent), then ``complete`` (the finished ``chat.completion``) or ``stream``
(the upstream's chunks, then ``DONE``; non-streaming requests are streamed from the upstream
internally). Both hold the answer to the reserved output cap (``OutputCap``: cut with
``finish_reason: "length"`` even when the upstream ignores the cap) and settle the charge
exactly once, also when the upstream fails or the client goes away mid-stream (the generator
settles in ``finally``). A stream we cut, or an upstream that reports no usage, is charged the
typical count of the prompt and of the output that streamed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from attrs import evolve, frozen
from synth_ai.domain.chat.assemble import CompletionBuilder
from synth_ai.domain.chat.errors import UpstreamNotConfigured
from synth_ai.domain.chat.output_cap import OutputCap
from synth_ai.domain.errors import InvalidInput, SynthError
from synth_ai.domain.sessions.model import Usage
from synth_ai.domain.sessions.pricing import PriceTable
from synth_ai.domain.sessions.tokens import prompt_bound, prompt_estimate
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
            if isinstance(value, float) and value.is_integer():  # JSON has one number type
                value = body[key] = int(value)
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
        if isinstance(n, float) and n.is_integer():
            n = body["n"] = int(n)
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise InvalidInput(f"'n' must be a positive integer, got {n!r}", param="n")
        self._require_upstream()
        return ChatCall(body, model, messages, max_out, stream, n)

    def reserve(self, call: ChatCall, meter: Meter) -> tuple[ChatCall, Charge]:
        """Reserve the worst case. The call returned carries the output cap the reservation
        holds (smaller than asked when the budget affords less) and sends it upstream."""
        charge = meter.reserve(
            model=call.model,
            prompt_tokens=prompt_bound(call.messages, call.body.get("tools")),
            max_output_tokens=call.max_output_tokens,
            choices=call.choices,
        )
        cap = charge.max_output_tokens
        if cap and (call.max_output_tokens is None or cap < call.max_output_tokens):
            body = {**call.body, "max_completion_tokens": cap}
            if "max_tokens" in body:
                body["max_tokens"] = cap
            call = evolve(call, body=body, max_output_tokens=cap)
        return call, charge

    def complete(self, call: ChatCall, charge: Charge) -> dict[str, Any]:
        """The upstream is streamed internally, so an answer past the cap is cut here too."""
        cap = _cap(call)
        builder = CompletionBuilder()
        try:
            with self.chat.stream(call.body) as upstream:
                for chunk in _capped(upstream, cap, call, charge):
                    builder.add(chunk)
            if cap.cut:
                builder.usage = _usage_dict(_cut_usage(call, cap))
        finally:
            charge.settle(_settled_usage(call, cap, builder.usage))
        return builder.completion()

    def stream(self, call: ChatCall, charge: Charge) -> Iterator[dict[str, Any] | str]:
        """Start the upstream stream now (its failure is an ordinary error), then relay its
        chunks; a failure mid-stream is one error item. Settles whatever happened, once."""
        try:
            upstream = self.chat.stream(call.body)
        except BaseException:
            charge.settle(Usage())
            raise
        wants_usage = bool((call.body.get("stream_options") or {}).get("include_usage"))
        return _relay(upstream, charge, call, wants_usage)

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


def _cap(call: ChatCall) -> OutputCap:
    limit = call.max_output_tokens
    return OutputCap(None if limit is None else limit * call.choices)


def _capped(
    upstream: Iterable[dict[str, Any]], cap: OutputCap, call: ChatCall, charge: Charge
) -> Iterator[dict[str, Any]]:
    """The upstream's chunks held to the cap: the one that reaches it is the last. The charge
    hears how much has streamed (what a lapsed lease is charged if this process dies)."""
    prompt = prompt_estimate(call.messages, call.body.get("tools"))
    for chunk in upstream:
        out = cap.apply(chunk)
        charge.progress(Usage(input_tokens=prompt, output_tokens=cap.tokens, api_calls=1))
        yield out
        if cap.cut:
            return


def _relay(
    upstream: ChatStream, charge: Charge, call: ChatCall, wants_usage: bool
) -> Iterator[dict[str, Any] | str]:
    cap = _cap(call)
    usage = None
    try:
        for chunk in _capped(upstream, cap, call, charge):
            if chunk.get("usage"):
                usage = chunk["usage"]
            if not chunk.get("choices") and chunk.get("usage") and not wants_usage:
                continue  # the client did not ask for the usage chunk we requested for metering
            yield chunk
        if cap.cut and wants_usage:
            yield {
                "object": "chat.completion.chunk",
                "choices": [],
                "usage": _usage_dict(_cut_usage(call, cap)),
            }
        yield DONE
    except SynthError as exc:
        log.warning("chat stream failed: %s", exc.message)
        yield exc.body()
    finally:
        upstream.close()
        charge.settle(_settled_usage(call, cap, usage))


def _cut_usage(call: ChatCall, cap: OutputCap) -> Usage:
    prompt = prompt_estimate(call.messages, call.body.get("tools"))
    return Usage(input_tokens=prompt, output_tokens=cap.tokens, api_calls=1)


def _settled_usage(call: ChatCall, cap: OutputCap, reported: dict[str, Any] | None) -> Usage:
    """What the upstream reported; when we cut the stream, or it reported nothing, the typical
    count of the prompt and of the output that streamed (nothing streamed: nothing spent)."""
    if reported and not cap.cut:
        return Usage.from_openai(reported)
    if cap.cut or cap.tokens:
        return _cut_usage(call, cap)
    return Usage()


def _usage_dict(usage: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
    }
