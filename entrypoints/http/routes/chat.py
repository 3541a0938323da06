"""``POST …/chat/completions`` and ``GET …/models`` under every base the docs name
(``/api/v1``, ``/v1``, ``/api/synth-research/v1``, and the original
``/api/synth-research/chat/completions``), so an OpenAI SDK given any of them works unchanged.

The completion route is cost-incurring: the session guard reserves the worst case before the
upstream is called and the real usage is settled afterwards, also when the upstream fails or
the client goes away mid-stream (the SSE generator settles in ``finally``).
"""

from __future__ import annotations

import json

from synth_ai.domain.chat.service import DONE, MeteredChat
from synth_ai.http.metering import meter_of
from synth_ai.http.payload import read_object, send_json

BASES = ("/api/v1", "/v1", "/api/synth-research/v1")
CHAT_PATHS = ("/api/synth-research/chat/completions", *(f"{b}/chat/completions" for b in BASES))
MODELS_PATHS = tuple(f"{b}/models" for b in BASES)

CHAT_REQUEST = {
    "type": "object",
    "required": ["model", "messages"],
    "properties": {
        "model": {"type": "string", "pattern": r"\S"},
        "messages": {"type": "array", "minItems": 1, "items": {"type": "object"}},
        "stream": {"type": "boolean"},
        "max_tokens": {"type": ["integer", "null"], "minimum": 1},
        "max_completion_tokens": {"type": ["integer", "null"], "minimum": 1},
        "n": {"type": ["integer", "null"], "minimum": 1},
    },
}


class ChatCompletions:
    cost_incurring = True

    def __init__(self, chat: MeteredChat):
        self._chat = chat

    def on_post(self, req, resp):
        call = self._chat.prepare(read_object(req))
        call, charge = self._chat.reserve(call, meter_of(req))
        if not call.stream:
            send_json(resp, self._chat.complete(call, charge))
            return
        items = self._chat.stream(call, charge)
        resp.content_type = "text/event-stream"
        resp.set_header("Cache-Control", "no-cache")
        resp.set_header("X-Accel-Buffering", "no")
        resp.stream = _sse(items)


def _sse(items):
    try:
        for item in items:
            data = item if item == DONE else json.dumps(item)
            yield f"data: {data}\n\n".encode()
    finally:
        items.close()


class Models:
    def __init__(self, chat: MeteredChat):
        self._chat = chat

    def on_get(self, req, resp):
        send_json(resp, {"object": "list", "data": self._chat.models()})


def register(app, spec, *, chat: MeteredChat) -> None:
    completions = ChatCompletions(chat)
    for path in CHAT_PATHS:
        app.add_route(path, completions)
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
    models = Models(chat)
    for path in MODELS_PATHS:
        app.add_route(path, models)
        spec.add(path, "GET", "The model aliases this backend serves, with prices", tag="chat")
