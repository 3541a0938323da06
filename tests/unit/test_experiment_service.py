"""The experiment use cases on fakes: submit, dispatch, finish → next, cancel, the repair tick."""

from pathlib import Path

import pytest
from synth_ai.adapters.system import RandomIds
from synth_ai.domain.errors import InvalidInput, NotFound
from synth_ai.domain.experiments.errors import BrokerUnavailable, ExperimentFinished
from synth_ai.domain.experiments.model import JobSpec
from synth_ai.domain.experiments.service import Experiments, QueuePolicy
from synth_ai.domain.experiments.submission import ExperimentRequest

from tests.fakes import FakeClock
from tests.fakes.experiments import (
    DictJobFiles,
    InMemoryExperimentStore,
    RecordingJobQueue,
    ScriptedRunner,
)

BASE = Path("/exp")


@pytest.fixture
def world():
    class World:
        store = InMemoryExperimentStore()
        queue = RecordingJobQueue()
        files = DictJobFiles(
            {
                "/exp/ok.toml": {"fake": {"outcome": "completed", "score": 0.5}},
                "/exp/bad.toml": {"fake": {"outcome": "failed", "reason": "exit code 3"}},
                "/exp/crash.toml": {"fake": {"crash": True}},
                "/exp/other.toml": {"other": 1},
            },
            {"/exp/.env": {"A": "1"}},
        )
        runner = ScriptedRunner()
        clock = FakeClock()

    w = World()
    w.service = Experiments(
        w.store,
        w.queue,
        w.files,
        {"fake": w.runner},
        w.clock,
        RandomIds(),
        QueuePolicy(lease_seconds=15, max_attempts=2),
    )
    return w


def request(*configs, parallelism=2, **job_fields):
    return ExperimentRequest(
        name="sweep",
        parallelism=parallelism,
        jobs=tuple(JobSpec("fake", c, **job_fields) for c in configs),
    )


def submit(world, *configs, **kw):
    return world.service.submit(
        request(*configs, **kw), org_id="org_a", base_dir=BASE, source="x.json"
    )


def run(world, job, worker="w1"):
    return world.service.run_job(job.job_id, worker, lambda j: Path("/tmp") / j.job_id)


def test_submit_stores_the_experiment_and_dispatches_up_to_parallelism(world):
    view = submit(world, "ok.toml", "ok.toml", "ok.toml")
    assert view.experiment.experiment_id.startswith("exp_")
    assert [j.index for j in world.queue.published] == [0, 1]
    assert [j.config_path for j in view.jobs] == ["/exp/ok.toml"] * 3


@pytest.mark.parametrize(
    ("fields", "configs", "message"),
    [
        (
            {},
            ("missing.toml",),
            "jobs[0].config_path: config file /exp/missing.toml does not exist",
        ),
        (
            {"config_overrides": {"fake.nope.x": 1}},
            ("ok.toml",),
            "'fake.nope.x' is not a key of /exp/ok.toml",
        ),
        ({"env_path": "missing.env"}, ("ok.toml",), "jobs[0].env_path: env file /exp/missing.env"),
        ({}, ("other.toml",), "jobs[0]: /exp/other.toml: a fake job needs a [fake] table"),
    ],
)
def test_an_invalid_job_names_the_field_and_file_and_nothing_is_stored(
    world, fields, configs, message
):
    with pytest.raises(InvalidInput) as caught:
        submit(world, *configs, **fields)
    assert caught.value.message.startswith("x.json: ") and message in caught.value.message
    assert world.store.experiments == {} and world.queue.published == []


def test_a_path_under_the_home_of_an_unknown_user_is_refused_in_one_line(world):
    with pytest.raises(InvalidInput) as caught:
        submit(world, "~no-such-user-here/exp.toml")
    assert caught.value.message.startswith("x.json: jobs[0].config_path: '~no-such-user-here")
    assert "home folder that does not exist" in caught.value.message
    assert world.store.experiments == {} and world.queue.published == []


def test_an_unknown_job_type_lists_the_known_ones(world):
    bad = ExperimentRequest(name="x", jobs=(JobSpec("gepa", "ok.toml"),))
    with pytest.raises(
        InvalidInput, match=r"jobs\[0\].job_type 'gepa' is not a known job type \(known: fake\)"
    ):
        world.service.submit(bad, org_id="o", base_dir=BASE, source="x.json")


@pytest.mark.parametrize("parallelism", [0, 9])
def test_parallelism_outside_one_to_eight_is_refused(world, parallelism):
    with pytest.raises(InvalidInput, match="parallelism must be between 1 and 8"):
        submit(world, "ok.toml", parallelism=parallelism)


def test_a_broker_that_is_down_fails_the_submit_before_anything_is_stored(world):
    world.queue.down = True
    with pytest.raises(BrokerUnavailable):
        submit(world, "ok.toml")
    assert world.store.experiments == {}


def test_the_next_job_is_dispatched_the_moment_one_finishes(world):
    submit(world, "ok.toml", "ok.toml", "ok.toml", parallelism=2)
    first, second = world.queue.take()
    assert run(world, first) == "completed"
    assert [j.index for j in world.queue.take()] == [2]
    assert run(world, second) == "completed"
    assert world.queue.take() == []


def test_an_experiment_completes_when_some_jobs_fail_and_fails_when_all_do(world):
    mixed = submit(world, "ok.toml", "bad.toml", parallelism=2)
    for job in world.queue.take():
        run(world, job)
    view = world.service.status(mixed.experiment.experiment_id, org_id="org_a")
    assert view.experiment.status == "completed"
    assert [(j.status, j.reason) for j in view.jobs] == [
        ("completed", None),
        ("failed", "exit code 3"),
    ]
    failing = submit(world, "bad.toml", "crash.toml", parallelism=2)
    for job in world.queue.take():
        run(world, job)
    view = world.service.status(failing.experiment.experiment_id, org_id="org_a")
    assert view.experiment.status == "failed"
    assert view.jobs[1].reason == "runner crashed: RuntimeError: boom"


def test_results_logs_and_progress_are_stored_with_the_job(world):
    view = submit(world, "ok.toml", parallelism=1)
    (job,) = world.queue.take()
    run(world, job)
    stored = world.service.status(view.experiment.experiment_id, org_id="org_a").jobs[0]
    assert stored.result == {"score": 0.5}
    assert stored.progress["best_score"] == 0.5
    assert world.service.logs(job.job_id, org_id="org_a") == ([f"running {job.job_id}"], 1)


def test_another_org_cannot_see_an_experiment_or_its_logs(world):
    view = submit(world, "ok.toml")
    with pytest.raises(NotFound):
        world.service.status(view.experiment.experiment_id, org_id="org_b")
    with pytest.raises(NotFound):
        world.service.logs(view.jobs[0].job_id, org_id="org_b")
    assert world.service.list(org_id="org_b") == []


def test_a_job_is_never_claimed_twice(world):
    submit(world, "ok.toml", parallelism=1)
    (job,) = world.queue.take()
    assert world.service.claim(job.job_id, "w1") is not None
    assert world.service.claim(job.job_id, "w2") is None


def test_cancel_drops_queued_jobs_and_flags_running_ones(world):
    view = submit(world, "ok.toml", "ok.toml", "ok.toml", parallelism=1)
    (first,) = world.queue.take()
    world.service.claim(first.job_id, "w1")
    canceled = world.service.cancel(view.experiment.experiment_id, org_id="org_a")
    assert [j.status for j in canceled.jobs] == ["running", "canceled", "canceled"]
    assert canceled.jobs[0].cancel_requested
    assert world.store.renew("w1", [first.job_id], world.clock.now(), 15) == {first.job_id}
    world.store.finish(first.job_id, "w1", "canceled", "canceled", {}, world.clock.now())
    assert (
        world.service.status(view.experiment.experiment_id, org_id="org_a").experiment.status
        == "canceled"
    )
    with pytest.raises(ExperimentFinished):
        world.service.cancel(view.experiment.experiment_id, org_id="org_a")


def test_the_tick_requeues_a_dead_workers_job_and_fails_it_after_max_attempts(world):
    view = submit(world, "ok.toml", parallelism=1)
    (job,) = world.queue.take()
    world.service.claim(job.job_id, "dead-1")
    world.clock.advance(16)
    report = world.service.tick("w2")
    assert (report.requeued, report.failed) == (1, 0)
    assert [j.job_id for j in world.queue.take()] == [job.job_id]
    again = world.service.claim(job.job_id, "dead-2")
    assert again.attempts == 2
    world.clock.advance(16)
    report = world.service.tick("w2")
    assert report.failed == 1
    stored = world.service.status(view.experiment.experiment_id, org_id="org_a")
    assert stored.experiment.status == "failed"
    assert stored.jobs[0].reason == "worker lost 2 times (max_attempts=2)"


def test_a_worker_whose_lease_was_taken_over_cannot_store_an_outcome(world):
    submit(world, "ok.toml", parallelism=1)
    (job,) = world.queue.take()
    world.service.claim(job.job_id, "slow")
    world.clock.advance(16)
    world.service.tick("w2")
    world.service.claim(job.job_id, "w2")
    assert not world.store.finish(job.job_id, "slow", "completed", None, {}, world.clock.now())
    assert world.store.finish(job.job_id, "w2", "completed", None, {}, world.clock.now())


def test_only_one_scheduler_leads_the_tick_at_a_time(world):
    assert world.service.tick("w1").led
    assert not world.service.tick("w2").led
    world.clock.advance(16)
    assert world.service.tick("w2").led


def test_the_tick_republishes_a_dispatch_nobody_claimed(world):
    submit(world, "ok.toml", parallelism=1)
    world.queue.take()
    world.clock.advance(31)
    assert world.service.tick("w1").republished == 1
    assert len(world.queue.take()) == 1


def test_a_handed_back_job_is_queued_again_without_counting_the_attempt(world):
    submit(world, "ok.toml", parallelism=1)
    (job,) = world.queue.take()
    claimed = world.service.claim(job.job_id, "w1")
    ctx = world.service.open_context(claimed, Path("/tmp/x"))
    ctx.cancel(hand_back=True)
    from synth_ai.ports.jobs import JobOutcome

    assert world.service.settle(claimed, "w1", ctx, JobOutcome("failed", "canceled")) == "queued"
    again = world.store.job(job.job_id)
    assert (again.status, again.attempts) == ("queued", 0)
    assert [j.job_id for j in world.queue.take()] == [job.job_id]


def test_the_tick_forgets_a_worker_that_has_been_silent_for_five_minutes(world):
    from synth_ai.ports.experiments import WorkerRecord

    now = world.clock.now()
    for worker_id, beat in (("gone", now - 301), ("alive", now - 3)):
        world.store.heartbeat_worker(
            WorkerRecord(worker_id, "h", 1, 2, "redis://", "/h", (), now, beat)
        )
    world.service.tick("w1")
    assert [w.worker_id for w in world.store.workers()] == ["alive"]
