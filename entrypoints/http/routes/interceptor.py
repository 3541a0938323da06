"""The interceptor: the policy ``inference_url`` an optimisation job gives a task app.

``POST /api/interceptor/{trial}/v1/chat/completions`` (``{trial}`` is ``<trial id>.<rollout
tag>``: one trial per evaluated batch of a candidate, one tag per rollout) takes the task app's
chat request, lets ``Interceptor.prepare`` put the trial's candidate prompt before the task's
own messages, and serves it through the metered chat route in the job's session — so a task app
that knows nothing of optimisation is optimised, and every policy call counts against the job's
budget. No API key: the trial id is the capability; the trial's owner pays.

``POST /api/interceptor/trials`` opens a trial (authenticated; the session must be the
caller's), ``GET``/``DELETE /api/interceptor/trials/{id}`` tell what happened on it (``DELETE``
also forgets it).
"""

from __future__ import annotations

import io
import json

from synth_ai.adapters.wire.optimisation import open_trial_in, trial_json
from synth_ai.domain.errors import LimitExceeded
from synth_ai.http.payload import read_object, send_json

BASE = "/api/interceptor"
TRIALS = f"{BASE}/trials"
OPEN_TRIAL = {
    "type": "object",
    "required": ["session_id"],
    "additionalProperties": False,
    "properties": {
        "session_id": {"type": "string"},
        "model": {"type": ["string", "null"]},
        "prefix": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["role", "content"],
                "additionalProperties": False,
                "properties": {"role": {"type": "string"}, "content": {"type": "string"}},
            },
        },
    },
}


class _WithBody:
    """The request as the chat route sees it: same context, a rewritten body."""

    def __init__(self, req, body: dict):
        self._req = req
        self.bounded_stream = io.BytesIO(json.dumps(body).encode())

    def __getattr__(self, name):
        return getattr(self._req, name)


def _answer_text(resp) -> str:
    try:
        body = json.loads(resp.text or "{}")
        return body["choices"][0]["message"].get("content") or ""
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""


class Trials:
    def __init__(self, interceptor):
        self.interceptor = interceptor

    def on_post(self, req, resp):
        payload = open_trial_in(read_object(req))
        trial = self.interceptor.open_trial(
            req.context.principal,
            session_id=payload.session_id,
            prefix=[{"role": m.role, "content": m.content} for m in payload.prefix],
            model=payload.model,
        )
        send_json(resp, trial_json(trial), status=201)


class TrialItem:
    def __init__(self, interceptor):
        self.interceptor = interceptor

    def on_get(self, req, resp, trial_id):
        send_json(resp, trial_json(self.interceptor.read(req.context.principal, trial_id)))

    def on_delete(self, req, resp, trial_id):
        send_json(resp, trial_json(self.interceptor.finish(req.context.principal, trial_id)))


class InterceptedChat:
    auth_required = False  # the trial id is the capability; the trial's owner pays

    def __init__(self, interceptor, chat):
        self.interceptor = interceptor
        self.chat = chat

    def on_post(self, req, resp, trial):
        call = self.interceptor.prepare(trial, read_object(req))
        req.context.principal = call.principal
        req.context.meter = call.meter  # the chat route reserves and settles through it
        try:
            self.chat.on_post(_WithBody(req, call.body), resp)
        except LimitExceeded:
            self.interceptor.refused(call)
            raise
        self.interceptor.served(call, "" if call.body.get("stream") else _answer_text(resp))


def register(app, spec, *, interceptor, chat) -> None:
    """``interceptor``: the ``Interceptor`` use cases; ``chat``: the metered chat-completions
    resource, whose ``on_post`` serves the rewritten request (the seam to the chat route)."""
    app.add_route(TRIALS, Trials(interceptor))
    spec.add(
        TRIALS,
        "POST",
        "Open an interceptor trial: the candidate prompt an optimisation job's rollouts use",
        tag="optimisation",
        request=OPEN_TRIAL,
        status=201,
    )
    item = TrialItem(interceptor)
    app.add_route(f"{TRIALS}/{{trial_id}}", item)
    spec.add(f"{TRIALS}/{{trial_id}}", "GET", "What happened on a trial", tag="optimisation")
    spec.add(
        f"{TRIALS}/{{trial_id}}",
        "DELETE",
        "What happened on a trial; the trial is forgotten",
        tag="optimisation",
    )
    path = f"{BASE}/{{trial}}/v1/chat/completions"
    app.add_route(path, InterceptedChat(interceptor, chat))
    spec.add(
        path,
        "POST",
        "Chat Completions with the trial's candidate prompt substituted, metered in the "
        "job's session (the policy inference_url of an optimisation rollout; no API key)",
        tag="optimisation",
        auth=False,
        request={"type": "object", "required": ["messages"]},
        streaming=True,
    )
