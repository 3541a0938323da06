"""``POST /api/synth-research/chat/completions`` (+ ``/v1/`` alias) and ``GET …/v1/models``.

The completion route is cost-incurring: the session guard reserves the worst case before the
upstream is called and the real usage is settled afterwards, also when the upstream fails or
the client goes away mid-stream (the SSE generator settles in ``finally``).
"""

from __future__ import annotations

import json
import logging

from synth_ai.adapters.openai_chat import UnconfiguredChatProvider
from synth_ai.domain.errors import InvalidInput, ServiceUnavailable, SynthError
from synth_ai.domain.sessions.pricing import estimate_prompt_tokens, estimate_tokens
from synth_ai.domain.sessions.usage import Usage
from synth_ai.http.metering import meter_of
from synth_ai.http.payload import read_object, send_json

log = logging.getLogger("synth_ai.http.chat")

CHAT_PATHS = ("/api/synth-research/chat/completions", "/api/synth-research/v1/chat/completions")
MODELS_PATH = "/api/synth-research/v1/models"

CHAT_REQUEST = {
    "type": "object",
    "required": ["model", "messages"],
    "properties": {
        "model": {"type": "string"},
        "messages": {"type": "array", "items": {"type": "object"}},
        "stream": {"type": "boolean"},
        "max_tokens": {"type": "integer"},
        "max_completion_tokens": {"type": "integer"},
        "n": {"type": "integer", "minimum": 1},
    },
}


def _choices(body: dict) -> int:
    """``n``: how many answers the upstream writes, each up to the output cap."""
    n = body.get("n", 1)
    if n is None:
        return 1
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InvalidInput(f"'n' must be a positive integer, got {n!r}", param="n")
    return n


def _checked(body: dict) -> tuple[str, list, int | None, bool]:
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
    return model, messages, max_out, stream


def _prompt_estimate(body: dict, messages: list) -> int:
    extra = body.get("tools")
    return estimate_prompt_tokens(messages) + (estimate_tokens(json.dumps(extra)) if extra else 0)


def _estimated_usage(messages: list, output_text: str) -> Usage:
    """When the upstream reports no usage: the documented chars/4 estimate of both sides."""
    prompt = sum(estimate_tokens(json.dumps(m.get("content") or "")) + 4 for m in messages)
    return Usage(input_tokens=prompt, output_tokens=estimate_tokens(output_text), api_calls=1)


def _output_text(message_or_delta: dict) -> str:
    parts = [message_or_delta.get("content") or "", message_or_delta.get("reasoning_content") or ""]
    for call in message_or_delta.get("tool_calls") or []:
        function = call.get("function") or {}
        parts.append((function.get("name") or "") + (function.get("arguments") or ""))
    return "".join(p for p in parts if isinstance(p, str))


class _UsesProvider:
    def __init__(self, container):
        self._container = container

    def provider(self):
        return self._container.chat_provider()


class ChatCompletions(_UsesProvider):
    cost_incurring = True

    def on_post(self, req, resp):
        body = read_object(req)
        model, messages, max_out, stream = _checked(body)
        provider = self.provider()
        if isinstance(provider, UnconfiguredChatProvider):
            raise ServiceUnavailable(provider.MESSAGE, code="upstream_not_configured")
        charge = meter_of(req).reserve(
            model=model,
            prompt_tokens=_prompt_estimate(body, messages),
            max_output_tokens=max_out,
            choices=_choices(body),
        )
        if max_out is None and charge.max_output_tokens:
            # The reservation assumed [session] max_output_tokens: hold the upstream to it.
            body = {**body, "max_completion_tokens": charge.max_output_tokens}
        if not stream:
            try:
                result = provider.complete(body)
            except BaseException:
                charge.settle(Usage())
                raise
            usage = result.get("usage")
            if usage:
                charge.settle(Usage.from_openai(usage))
            else:
                text = "".join(
                    _output_text((choice or {}).get("message") or {})
                    for choice in result.get("choices") or []
                )
                charge.settle(_estimated_usage(messages, text))
            send_json(resp, result)
            return
        try:
            upstream = provider.stream(body)
        except BaseException:
            charge.settle(Usage())
            raise
        wants_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        resp.content_type = "text/event-stream"
        resp.set_header("Cache-Control", "no-cache")
        resp.set_header("X-Accel-Buffering", "no")
        resp.stream = _events(upstream, charge, messages, wants_usage)


def _events(upstream, charge, messages: list, wants_usage: bool):
    """Relay the upstream chunks as SSE; settle whatever happened, exactly once."""
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
            yield f"data: {json.dumps(chunk)}\n\n".encode()
        yield b"data: [DONE]\n\n"
    except SynthError as exc:
        log.warning("chat stream failed: %s", exc.message)
        yield f"data: {json.dumps(exc.body())}\n\n".encode()
    finally:
        upstream.close()
        if usage:
            charge.settle(Usage.from_openai(usage))
        elif output:  # the upstream answered but reported no usage (or the client left early)
            charge.settle(_estimated_usage(messages, "".join(output)))
        else:
            charge.settle(Usage())


class Models(_UsesProvider):
    def on_get(self, req, resp):
        provider = self.provider()
        if isinstance(provider, UnconfiguredChatProvider):
            raise ServiceUnavailable(provider.MESSAGE, code="upstream_not_configured")
        prices = self._container.prices()
        data = []
        for model in provider.models():
            price = prices.price_for(model["id"])
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
        send_json(resp, {"object": "list", "data": data})


def register(app, container, spec) -> None:
    chat = ChatCompletions(container)
    for path in CHAT_PATHS:
        app.add_route(path, chat)
        spec.add(
            path,
            "POST",
            "OpenAI Chat Completions through the configured upstream (metered by the "
            "caller's session; 429 usage_limit_reached past a hard limit)",
            tag="chat",
            request=CHAT_REQUEST,
            streaming=True,
            parameters=[
                {"name": "X-Session-ID", "in": "header", "schema": {"type": "string"}},
                {"name": "X-No-Session", "in": "header", "schema": {"type": "string"}},
            ],
        )
    app.add_route(MODELS_PATH, Models(container))
    spec.add(MODELS_PATH, "GET", "The model aliases this backend serves, with prices", tag="chat")
