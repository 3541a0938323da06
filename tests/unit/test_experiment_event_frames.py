"""The experiment stream's frames on a fake clock: on change only, keepalives, the two ends."""

from __future__ import annotations

import json

from attrs import evolve
from synth_ai.domain.experiments.errors import UnknownExperiment
from synth_ai.domain.experiments.model import (
    COMPLETED,
    QUEUED,
    RUNNING,
    Experiment,
    ExperimentView,
    Job,
)
from synth_ai.http.routes.experiment_events import ExperimentEvents

from tests.fakes import FakeClock


class Ticking:
    """``monotonic`` and ``sleep`` over one fake time line."""

    def __init__(self):
        self.t = 0.0

    def monotonic(self):
        return self.t

    def sleep(self, seconds):
        self.t += seconds


class Service:
    def __init__(self):
        self.clock = FakeClock()


def view(status=RUNNING, done=0):
    job = Job("job_1", "exp_1", 0, "command", "/c.toml", status=status, progress={"done": done})
    return ExperimentView(Experiment("exp_1", "org_a", "e", status=status), (job,))


def stream(reads, *, keepalive_s=1.0, max_s=10.0):
    """Run the stream from ``reads[0]`` over the rest (views, or an exception to raise), one
    per poll."""
    time = Ticking()
    events = ExperimentEvents(
        Service(),
        poll_s=0.5,
        keepalive_s=keepalive_s,
        max_s=max_s,
        monotonic=time.monotonic,
        sleep=time.sleep,
    )
    queue = list(reads[1:])

    def read():
        item = queue.pop(0) if queue else last[0]
        if isinstance(item, Exception):
            raise item
        last[0] = item
        return item

    last = [reads[0]]
    out = []
    for raw in events.frames(read, reads[0]):
        text = raw.decode()
        if text.startswith(":"):
            out.append((":", text.strip()))
        else:
            name, data = text.strip().split("\n")
            out.append((name[len("event: ") :], json.loads(data[len("data: ") :])))
    return out


def names(frames):
    return [name for name, _ in frames]


def test_a_frame_is_sent_first_and_then_only_when_something_changed():
    running = view(done=1)
    frames = stream([running, running, view(done=2), view(done=2), view(COMPLETED, done=3)])
    experiment_frames = [d for n, d in frames if n == "experiment"]
    assert [f["jobs"][0]["progress"]["done"] for f in experiment_frames] == [1, 2, 3]
    assert frames[-1] == ("end", {"reason": "terminal"})


def test_a_terminal_experiment_is_sent_once_and_the_stream_ends_at_once():
    frames = stream([view(COMPLETED)])
    assert names(frames) == ["experiment", "end"]


def test_a_quiet_stream_keeps_alive_and_ends_at_its_longest_life():
    frames = stream([view(QUEUED)], keepalive_s=1.0, max_s=3.0)
    assert names(frames).count("experiment") == 1
    assert names(frames).count(":") == 3  # one a second while nothing changed
    assert frames[-1] == ("end", {"reason": "max_duration"})


def test_a_read_that_fails_ends_the_stream_with_the_error_body():
    gone = UnknownExperiment("no experiment 'exp_1'", param="experiment_id")
    frames = stream([view(), gone])
    assert names(frames) == ["experiment", "error", "end"]
    assert frames[1][1]["error"]["message"] == "no experiment 'exp_1'"
    assert frames[-1] == ("end", {"reason": "error"})


def test_an_eta_counting_down_alone_is_not_a_change():
    started = evolve(
        view(done=1).jobs[0],
        started_at=1.0,
        progress={"done": 1, "total": 10, "updated_at": 2.0},
    )
    ticking = ExperimentView(view().experiment, (started,))
    frames = stream([ticking, ticking, ticking], max_s=2.0)
    assert names(frames).count("experiment") == 1
