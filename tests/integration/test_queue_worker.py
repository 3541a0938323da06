"""Workers on real brokers (Redis and RabbitMQ) with the real command runner and SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from synth_ai.adapters.job_runners import CommandRunner
from synth_ai.adapters.kombu_queue import KombuJobQueue
from synth_ai.adapters.sqlite import Database
from synth_ai.adapters.sqlite.experiments import SqliteExperimentStore
from synth_ai.adapters.system import RandomIds, SystemClock
from synth_ai.adapters.system.job_files import LocalJobFiles
from synth_ai.adapters.wire.experiments import parse_request
from synth_ai.domain.experiments.errors import BrokerUnavailable
from synth_ai.domain.experiments.service import Experiments, QueuePolicy

from tests.support.queue import (
    BROKERS,
    ThreadWorker,
    delete_queue,
    max_concurrent,
    overlapping_runs_of_one_job,
    pid_alive,
    read_ledger,
    unique_queue,
    wait_for,
    write_experiment,
)


@pytest.fixture(params=sorted(BROKERS))
def broker(request):
    url = BROKERS[request.param]
    name = unique_queue()
    yield url, name
    delete_queue(url, name)


def service(tmp_path: Path, url: str, queue_name: str, store=None) -> Experiments:
    store = store or SqliteExperimentStore(Database(tmp_path / "synth.db"))
    return Experiments(
        store,
        KombuJobQueue(url, queue_name),
        LocalJobFiles(),
        {"command": CommandRunner()},
        SystemClock(),
        RandomIds(),
        QueuePolicy(lease_seconds=3, max_attempts=3, redispatch_after=5),
    )


def submit(experiments: Experiments, path: Path):
    request = parse_request(json.loads(path.read_text()), source=str(path))
    return experiments.submit(request, org_id="org", base_dir=path.parent, source=str(path))


def finished(experiments, experiment_id):
    view = experiments.status(experiment_id, org_id="org")
    return view if view.experiment.terminal else None


def test_a_worker_runs_every_job_with_at_most_parallelism_at_once(tmp_path, broker):
    url, name = broker
    experiments = service(tmp_path, url, name)
    path = write_experiment(tmp_path / "exp", jobs=5, parallelism=2, nap=0.3)
    with ThreadWorker(experiments, url, name, tmp_path / "jobs", concurrency=4):
        view = submit(experiments, path)
        done = wait_for(lambda: finished(experiments, view.experiment.experiment_id))
    assert done.experiment.status == "completed"
    assert all(j.status == "completed" and j.attempts == 1 for j in done.jobs)
    ledger = read_ledger(tmp_path / "exp")
    assert len(ledger) == 10
    assert max_concurrent(ledger) == 2


def test_parallelism_holds_across_two_workers_and_each_job_runs_once(tmp_path, broker):
    url, name = broker
    experiments = service(tmp_path, url, name)
    path = write_experiment(tmp_path / "exp", jobs=6, parallelism=3, nap=0.3)
    with (
        ThreadWorker(experiments, url, name, tmp_path / "jobs", concurrency=3),
        ThreadWorker(service(tmp_path, url, name), url, name, tmp_path / "jobs2", concurrency=3),
    ):
        view = submit(experiments, path)
        done = wait_for(lambda: finished(experiments, view.experiment.experiment_id))
    assert done.experiment.status == "completed"
    ledger = read_ledger(tmp_path / "exp")
    assert sorted(e[0] for e in ledger if e[1] == "start") == sorted(j.job_id for j in done.jobs)
    assert max_concurrent(ledger) <= 3
    assert overlapping_runs_of_one_job(ledger) == []


def test_a_failing_command_fails_its_job_with_the_exit_code_and_keeps_its_output(tmp_path, broker):
    url, name = broker
    experiments = service(tmp_path, url, name)
    path = write_experiment(tmp_path / "exp", jobs=1, parallelism=1, command="echo oops; exit 3")
    with ThreadWorker(experiments, url, name, tmp_path / "jobs"):
        view = submit(experiments, path)
        done = wait_for(lambda: finished(experiments, view.experiment.experiment_id))
    assert done.experiment.status == "failed"
    assert done.jobs[0].reason == "exit code 3"
    assert experiments.logs(done.jobs[0].job_id, org_id="org")[0] == ["oops"]


def test_a_stopping_worker_hands_its_running_job_back_to_another(tmp_path, broker):
    url, name = broker
    experiments = service(tmp_path, url, name)
    path = write_experiment(tmp_path / "exp", jobs=1, parallelism=1, nap=2)
    first = ThreadWorker(experiments, url, name, tmp_path / "jobs")
    first.__enter__()
    view = submit(experiments, path)
    (started,) = wait_for(lambda: read_ledger(tmp_path / "exp"))
    first.worker.stop(now=True)
    first.thread.join(timeout=20)
    assert not first.thread.is_alive()
    assert not pid_alive(started[3])  # the handed-back run is gone before any re-run
    job = experiments.store.jobs(view.experiment.experiment_id)[0]
    assert (job.status, job.attempts) == ("queued", 0)
    with ThreadWorker(service(tmp_path, url, name), url, name, tmp_path / "jobs2"):
        done = wait_for(lambda: finished(experiments, view.experiment.experiment_id))
    assert done.experiment.status == "completed" and done.jobs[0].attempts == 1
    assert [e[1] for e in read_ledger(tmp_path / "exp")] == ["start", "start", "end"]


def test_a_broker_that_is_down_is_named_in_one_line():
    queue = KombuJobQueue("redis://127.0.0.1:1/0", unique_queue())
    with pytest.raises(BrokerUnavailable) as caught:
        queue.check()
    assert "the broker is not reachable at redis://127.0.0.1:1/0" in caught.value.message
    assert "\n" not in caught.value.message


def test_workers_sharing_a_redis_store_hold_parallelism_and_run_each_job_once(tmp_path, broker):
    import uuid

    from synth_ai.adapters.redis.experiments import RedisExperimentStore

    from tests.support.queue import REDIS_URL
    from tests.support.redis_keys import drop_prefix

    url, name = broker
    prefix = f"test-q-{uuid.uuid4().hex[:8]}:"
    try:
        experiments = service(
            tmp_path, url, name, RedisExperimentStore.from_url(REDIS_URL, prefix=prefix)
        )
        other = service(
            tmp_path, url, name, RedisExperimentStore.from_url(REDIS_URL, prefix=prefix)
        )
        path = write_experiment(tmp_path / "exp", jobs=6, parallelism=2, nap=0.3)
        with (
            ThreadWorker(experiments, url, name, tmp_path / "jobs", concurrency=3),
            ThreadWorker(other, url, name, tmp_path / "jobs2", concurrency=3),
        ):
            view = submit(experiments, path)
            done = wait_for(lambda: finished(experiments, view.experiment.experiment_id))
        assert done.experiment.status == "completed"
        ledger = read_ledger(tmp_path / "exp")
        assert len([e for e in ledger if e[1] == "start"]) == 6
        assert max_concurrent(ledger) == 2
    finally:
        drop_prefix(REDIS_URL, prefix)
