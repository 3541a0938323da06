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

from synth_ai.domain.responses.request import ROLES
from synth_ai.domain.responses.service import ResponsesBridge
from synth_ai.http.metering import meter_of
from synth_ai.http.payload import read_object, send_json

PREFIXES = ("/api/v1", "/api/synth-research/v1", "/v1")

_CALL_TYPES = ["function_call", "custom_tool_call"]
_OUTPUT_TYPES = ["function_call_output", "custom_tool_call_output"]
_TEXT = {"type": "string", "minLength": 1}
# The input items the bridge translates; items of other types are ignored (clients such as
# Codex send built-in tool items the upstream has no use for).
_MESSAGE = {
    "type": "object",
    "required": ["role", "content"],
    "properties": {
        "type": {"enum": ["message", None]},  # null: an easy message, as with no type
        "role": {"enum": sorted(ROLES)},
        "content": {"type": ["string", "array"]},
    },
}
_CALL = {
    "type": "object",
    "required": ["type", "call_id", "name"],
    "properties": {"type": {"enum": _CALL_TYPES}, "call_id": _TEXT, "name": _TEXT},
}
_OUTPUT = {
    "type": "object",
    "required": ["type", "call_id"],
    "properties": {"type": {"enum": _OUTPUT_TYPES}, "call_id": _TEXT},
}
_IGNORED = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"type": "string", "not": {"enum": ["message", *_CALL_TYPES, *_OUTPUT_TYPES]}}
    },
}
_TOOL = {
    "type": "object",
    "anyOf": [
        {"properties": {"type": {"not": {"enum": ["function", "custom"]}}}},
        {"required": ["name"], "properties": {"name": {"type": "string"}}},
    ],
}
CREATE_SCHEMA = {
    "type": "object",
    "required": ["model"],
    "properties": {
        "model": {"type": "string", "pattern": r"\S"},
        "input": {
            "anyOf": [
                {"type": "string"},
                {"type": "null"},
                {"type": "array", "items": {"anyOf": [_MESSAGE, _CALL, _OUTPUT, _IGNORED]}},
            ]
        },
        "instructions": {"type": ["string", "null"]},
        "tools": {"type": ["array", "null"], "items": _TOOL},
        "tool_choice": {
            "anyOf": [{"enum": ["auto", "none", "required", None]}, {"type": "object"}]
        },
        "parallel_tool_calls": {"type": ["boolean", "null"]},
        "max_output_tokens": {"type": ["integer", "null"], "minimum": 1},
        "temperature": {"type": ["number", "null"], "minimum": 0, "maximum": 2},
        "top_p": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "text": {"type": ["object", "null"]},
        "store": {"type": ["boolean", "null"]},
        "previous_response_id": {"type": ["string", "null"]},
        "stream": {"type": ["boolean", "null"]},
        "metadata": {"type": ["object", "null"]},
        "reasoning": {"type": ["object", "null"]},
    },
    # Something to answer: an input that yields a message, non-empty instructions, or the
    # conversation of a previous response.
    "anyOf": [
        {"required": ["input"], "properties": {"input": {"type": "string"}}},
        {
            "required": ["input"],
            "properties": {
                "input": {"type": "array", "contains": {"anyOf": [_MESSAGE, _CALL, _OUTPUT]}}
            },
        },
        {"required": ["instructions"], "properties": {"instructions": _TEXT}},
        {"required": ["previous_response_id"], "properties": {"previous_response_id": _TEXT}},
    ],
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
