"""The interceptor: the policy ``inference_url`` an optimisation job gives a task app.

``POST /api/interceptor/{trial}/v1/chat/completions`` (``{trial}`` is ``<trial id>.<rollout
tag>``: one trial per evaluated batch of a candidate, one tag per rollout) takes the task app's
chat request, puts the trial's candidate prompt before the task's own messages (the candidate's
system instruction replaces the task's system message; its demonstrations follow it) and serves
the request through the metered chat route in the job's session — so a task app that knows
nothing of optimisation is optimised, and every policy call counts against the job's budget.
The trial id is an unguessable capability: task apps call it without an API key; the calls are
charged to the owner who opened the trial.

``POST /api/interceptor/trials`` opens a trial (authenticated; the session must be the
caller's), ``DELETE /api/interceptor/trials/{id}`` returns what happened on it and forgets it.
"""

from __future__ import annotations

import io
import json

from synth_ai.adapters.wire.optimisation import open_trial_in, trial_json
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import Forbidden, InvalidInput, LimitExceeded, NotFound
from synth_ai.domain.optimisation.candidate import substitute
from synth_ai.http.payload import read_object, send_json
from synth_ai.ports.optimisation import Exchange, Trial

BASE = "/api/interceptor"
TRIALS = f"{BASE}/trials"
OPEN_TRIAL = {
    "type": "object",
    "required": ["session_id"],
    "properties": {
        "session_id": {"type": "string"},
        "model": {"type": ["string", "null"]},
        "prefix": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["role", "content"],
                "properties": {"role": {"type": "string"}, "content": {"type": "string"}},
            },
        },
    },
}


class UnknownTrial(NotFound):
    code = "trial_not_found"


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
    def __init__(self, trials, ids, sessions_of):
        self.trials = trials
        self.ids = ids
        self.sessions_of = sessions_of

    def on_post(self, req, resp):
        payload = open_trial_in(read_object(req))
        principal = req.context.principal
        session = self.sessions_of(principal, payload.session_id)  # the caller's, or an error
        trial = Trial(
            self.ids.new_id("trial"),
            principal.org_id,
            principal.user_id,
            principal.key_id,
            session.id,
            [{"role": m.role, "content": m.content} for m in payload.prefix],
            model=payload.model,
        )
        self.trials.put(trial)
        send_json(resp, trial_json(trial), status=201)


class TrialItem:
    def __init__(self, trials):
        self.trials = trials

    def _owned(self, req, trial_id: str) -> Trial:
        trial = self.trials.get(trial_id)
        if trial is None:
            raise UnknownTrial(f"no trial {trial_id!r} — it finished or never existed")
        principal = req.context.principal
        if (trial.org_id, trial.user_id) != (principal.org_id, principal.user_id):
            raise Forbidden(f"trial {trial_id!r} belongs to another user")
        return trial

    def on_get(self, req, resp, trial_id):
        send_json(resp, trial_json(self._owned(req, trial_id)))

    def on_delete(self, req, resp, trial_id):
        trial = self._owned(req, trial_id)
        self.trials.pop(trial_id)
        send_json(resp, trial_json(trial))


class InterceptedChat:
    auth_required = False  # the trial id is the capability; the trial's owner pays

    def __init__(self, trials, meters, chat):
        self.trials = trials
        self.meters = meters
        self.chat = chat

    def on_post(self, req, resp, trial):
        trial, _, rollout = trial.partition(".")  # "<trial id>.<rollout tag>"
        found = self.trials.get(trial)
        if found is None:
            raise UnknownTrial(f"no trial {trial!r} — it finished or never existed")
        body = read_object(req)
        messages = body.get("messages")
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise InvalidInput("'messages' must be a list of message objects", param="messages")
        rewritten = {**body, "messages": substitute(found.prefix, messages)}
        if found.model:  # the job's policy model, whatever the task app asked for
            rewritten["model"] = found.model
        principal = Principal(found.org_id, found.user_id, found.key_id or "")
        req.context.principal = principal
        req.context.meter = self.meters.meter_for(
            principal, session_id=found.session_id, opt_out=False
        )
        try:
            self.chat.on_post(_WithBody(req, rewritten), resp)
        except LimitExceeded:
            self.trials.record(trial, rollout, None, refused=True)
            raise
        output = "" if rewritten.get("stream") else _answer_text(resp)
        self.trials.record(trial, rollout, Exchange(messages, output))


def register(app, spec, *, trials, meters, chat, ids, sessions_of) -> None:
    """``chat``: the metered chat-completions resource (its ``on_post`` is the seam);
    ``sessions_of(principal, session_id)``: the caller's session or an error."""
    app.add_route(TRIALS, Trials(trials, ids, sessions_of))
    spec.add(
        TRIALS,
        "POST",
        "Open an interceptor trial: the candidate prompt an optimisation job's rollout uses",
        tag="optimisation",
        request=OPEN_TRIAL,
        status=201,
    )
    item = TrialItem(trials)
    app.add_route(f"{TRIALS}/{{trial_id}}", item)
    spec.add(f"{TRIALS}/{{trial_id}}", "GET", "What happened on a trial", tag="optimisation")
    spec.add(
        f"{TRIALS}/{{trial_id}}",
        "DELETE",
        "What happened on a trial; the trial is forgotten",
        tag="optimisation",
    )
    path = f"{BASE}/{{trial}}/v1/chat/completions"
    app.add_route(path, InterceptedChat(trials, meters, chat))
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
