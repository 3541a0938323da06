"""The Responses API bridge: ``POST /responses`` (SSE or JSON), ``GET /responses/{id}``,
``POST /responses/{id}/submit_tool_outputs``, under ``/api/v1``, ``/api/synth-research/v1``
and ``/v1`` so any OpenAI client given one of those base URLs works unchanged.

Every route is cost-incurring (the session guard meters it). Bad input and a refused budget
fail before the stream starts, as ordinary HTTP errors; once streaming, every outcome is an
event, ending with exactly one terminal event.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from synth_ai.domain.responses.service import ResponsesBridge
from synth_ai.http.metering import meter_of
from synth_ai.http.payload import read_object, send_json

PREFIXES = ("/api/v1", "/api/synth-research/v1", "/v1")

CREATE_SCHEMA = {
    "type": "object",
    "required": ["model"],
    "properties": {
        "model": {"type": "string"},
        "input": {"type": ["string", "array"]},
        "instructions": {"type": "string"},
        "tools": {"type": "array"},
        "tool_choice": {},
        "parallel_tool_calls": {"type": "boolean"},
        "max_output_tokens": {"type": "integer"},
        "temperature": {"type": "number"},
        "top_p": {"type": "number"},
        "text": {"type": "object"},
        "store": {"type": "boolean"},
        "previous_response_id": {"type": "string"},
        "stream": {"type": "boolean"},
    },
}
TOOL_OUTPUTS_SCHEMA = {
    "type": "object",
    "required": ["tool_outputs"],
    "properties": {
        "tool_outputs": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "call_id": {"type": "string"},
                    "tool_call_id": {"type": "string"},
                    "output": {"type": "string"},
                },
            },
        },
        "stream": {"type": "boolean"},
    },
}
RESPONSE_SCHEMA = {"type": "object", "required": ["id", "object", "status", "output"]}


def sse(events: Iterator[dict]) -> Iterator[bytes]:
    """One SSE frame per event; closing this generator (client gone) closes the turn's."""
    try:
        for event in events:
            yield f"event: {event['type']}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n".encode()
    finally:
        events.close()


def _respond(req, resp, bridge, turn) -> None:
    charge = bridge.reserve(turn, meter_of(req))  # the middleware reports session, warnings
    if turn.request.stream:
        resp.content_type = "text/event-stream"
        resp.set_header("Cache-Control", "no-cache")
        resp.set_header("X-Accel-Buffering", "no")
        resp.stream = sse(bridge.events(turn, charge))
    else:
        send_json(resp, bridge.run(turn, charge))


class Responses:
    cost_incurring = True

    def __init__(self, bridge: ResponsesBridge):
        self._bridge = bridge

    def on_post(self, req, resp):
        bridge = self._bridge
        turn = bridge.prepare(read_object(req), req.context.principal.org_id)
        _respond(req, resp, bridge, turn)


class Response:
    cost_incurring = True

    def __init__(self, bridge: ResponsesBridge):
        self._bridge = bridge

    def on_get(self, req, resp, response_id):
        send_json(resp, self._bridge.get(req.context.principal.org_id, response_id))


class ToolOutputs:
    cost_incurring = True

    def __init__(self, bridge: ResponsesBridge):
        self._bridge = bridge

    def on_post(self, req, resp, response_id):
        bridge = self._bridge
        turn = bridge.prepare_tool_outputs(
            req.context.principal.org_id, response_id, read_object(req)
        )
        _respond(req, resp, bridge, turn)


def register(app, spec, *, bridge: ResponsesBridge) -> None:
    for prefix in PREFIXES:
        path = f"{prefix}/responses"
        app.add_route(path, Responses(bridge))
        spec.add(
            path,
            "POST",
            "Create a model response (Responses API over the Chat Completions upstream)",
            tag="responses",
            request=CREATE_SCHEMA,
            response=RESPONSE_SCHEMA,
            streaming=True,
        )
        app.add_route(f"{path}/{{response_id}}", Response(bridge))
        spec.add(
            f"{path}/{{response_id}}",
            "GET",
            "A stored response of the caller's organisation",
            tag="responses",
            response=RESPONSE_SCHEMA,
        )
        app.add_route(f"{path}/{{response_id}}/submit_tool_outputs", ToolOutputs(bridge))
        spec.add(
            f"{path}/{{response_id}}/submit_tool_outputs",
            "POST",
            "Continue a stored response with the outputs of its tool calls",
            tag="responses",
            request=TOOL_OUTPUTS_SCHEMA,
            response=RESPONSE_SCHEMA,
            streaming=True,
        )
