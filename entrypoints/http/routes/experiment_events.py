"""``GET /api/experiments/{id}/events``: an experiment as a live SSE stream, for the dashboard.

An ``experiment`` frame (the JSON of ``GET /api/experiments/{id}``) at once and whenever the
experiment or one of its jobs changes (the store is read every ``[ui] events_poll_s``), a
``: keepalive`` comment while nothing changes, and ``event: end`` once it is terminal or the
stream reached ``[ui] events_max_s`` (the page reconnects). The stream holds one Waitress
thread, so it goes through admission control like every long request (``http/admission.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

from synth_ai.adapters.wire.experiments import view_to_wire
from synth_ai.domain.errors import SynthError

PATH = "/api/experiments/{experiment_id}/events"
KEEPALIVE = b": keepalive\n\n"


def frame(event: str, data: object) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


class ExperimentEvents:
    def __init__(
        self,
        experiments,
        *,
        poll_s: float,
        keepalive_s: float,
        max_s: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._experiments = experiments
        self._poll_s, self._keepalive_s, self._max_s = poll_s, keepalive_s, max_s
        self._monotonic, self._sleep = monotonic, sleep

    def on_get(self, req, resp, experiment_id):
        org_id = req.context.principal.org_id
        first = self._experiments.status(experiment_id, org_id=org_id)  # 404 before the stream
        resp.content_type = "text/event-stream"
        resp.set_header("Cache-Control", "no-cache")
        resp.set_header("X-Accel-Buffering", "no")
        resp.stream = self.frames(
            lambda: self._experiments.status(experiment_id, org_id=org_id), first
        )

    def frames(self, read: Callable[[], object], view) -> Iterator[bytes]:
        started = last_write = self._monotonic()
        sent = None
        while True:
            # Compared without the clock (an ETA counting down is not a change), sent with it.
            state = json.dumps(view_to_wire(view), sort_keys=True)
            if state != sent:
                yield frame("experiment", view_to_wire(view, self._experiments.clock.now()))
                sent, last_write = state, self._monotonic()
            if view.experiment.terminal:
                yield frame("end", {"reason": "terminal"})
                return
            left = started + self._max_s - self._monotonic()
            if left <= 0:
                yield frame("end", {"reason": "max_duration"})
                return
            self._sleep(min(self._poll_s, left))
            if self._monotonic() - last_write >= self._keepalive_s:
                yield KEEPALIVE
                last_write = self._monotonic()
            try:
                view = read()
            except SynthError as exc:  # the store went away, or the experiment did
                yield frame("error", exc.body())
                yield frame("end", {"reason": "error"})
                return


def register(app, spec, *, experiments, poll_s: float, keepalive_s: float, max_s: float) -> None:
    app.add_route(
        PATH,
        ExperimentEvents(experiments, poll_s=poll_s, keepalive_s=keepalive_s, max_s=max_s),
    )
    spec.add(
        PATH,
        "GET",
        "An experiment live (SSE): an 'experiment' frame now and on every change, 'end' when "
        "it is terminal or after [ui] events_max_s",
        tag="experiments",
        streaming=True,
    )
