"""The ExperimentStore contract: every adapter and the fake make the same promises."""

from __future__ import annotations

import threading
import time

from synth_ai.domain.experiments.model import Experiment, Job
from synth_ai.ports.experiments import WorkerRecord

NOW = 1_700_000_000.0


def experiment(eid="exp_1", org="org_a", parallelism=2, created=NOW):
    return Experiment(eid, org, "sweep", parallelism=parallelism, created_at=created)


def jobs(eid="exp_1", n=3):
    return [
        Job(f"{eid}_job_{i}", eid, i, "command", "/c.toml", {"a.b": 1}, created_at=NOW)
        for i in range(n)
    ]


class ExperimentStoreContract:
    def make_store(self):
        raise NotImplementedError

    def seeded(self, n=3, parallelism=2):
        store = self.make_store()
        store.create(experiment(parallelism=parallelism), jobs(n=n))
        return store

    def test_a_created_experiment_reads_back_with_its_jobs_in_order(self):
        store = self.seeded()
        assert store.get("exp_1").name == "sweep"
        assert [j.index for j in store.jobs("exp_1")] == [0, 1, 2]
        assert store.job("exp_1_job_1").config_overrides == {"a.b": 1}
        assert store.get("nope") is None and store.job("nope") is None

    def test_listing_is_newest_first_scoped_by_org_and_filtered_by_status(self):
        store = self.make_store()
        store.create(experiment("exp_old", created=NOW), jobs("exp_old", 1))
        store.create(experiment("exp_new", created=NOW + 1), jobs("exp_new", 1))
        store.create(experiment("exp_b", org="org_b", created=NOW + 2), jobs("exp_b", 1))
        assert [e.experiment_id for e in store.list(org_id="org_a")] == ["exp_new", "exp_old"]
        assert [e.experiment_id for e in store.list(org_id="org_a", limit=1)] == ["exp_new"]
        assert store.list(org_id="org_a", status="running") == []
        assert len(store.list(org_id="org_a", status="queued")) == 2

    def test_reserve_dispatch_hands_out_at_most_parallelism_jobs(self):
        store = self.seeded(n=3, parallelism=2)
        assert [j.index for j in store.reserve_dispatch("exp_1", NOW)] == [0, 1]
        assert store.reserve_dispatch("exp_1", NOW) == []

    def test_concurrent_reservations_never_exceed_parallelism(self):
        store = self.seeded(n=8, parallelism=3)
        handed: list = []
        lock = threading.Lock()

        def reserve():
            got = store.reserve_dispatch("exp_1", NOW)
            with lock:
                handed.extend(got)

        threads = [threading.Thread(target=reserve) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(handed) == 3 and len({j.job_id for j in handed}) == 3

    def test_a_job_is_claimed_once_and_counts_its_attempt(self):
        store = self.seeded()
        store.reserve_dispatch("exp_1", NOW)
        claimed = store.claim("exp_1_job_0", "w1", NOW, 15)
        assert (claimed.status, claimed.attempts, claimed.lease_owner) == ("running", 1, "w1")
        assert store.claim("exp_1_job_0", "w2", NOW, 15) is None
        assert store.get("exp_1").status == "running"

    def test_concurrent_claims_of_one_job_let_exactly_one_worker_win(self):
        store = self.seeded()
        winners = []

        def claim(worker):
            if store.claim("exp_1_job_0", worker, NOW, 15) is not None:
                winners.append(worker)

        threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(winners) == 1

    def test_only_the_lease_holder_stores_an_outcome_and_the_slot_frees(self):
        store = self.seeded(n=3, parallelism=2)
        store.reserve_dispatch("exp_1", NOW)
        store.claim("exp_1_job_0", "w1", NOW, 15)
        assert not store.finish("exp_1_job_0", "w2", "completed", None, {}, NOW + 1)
        assert store.finish("exp_1_job_0", "w1", "completed", None, {"score": 1}, NOW + 1)
        done = store.job("exp_1_job_0")
        assert (done.status, done.result, done.lease_owner) == ("completed", {"score": 1}, None)
        assert [j.index for j in store.reserve_dispatch("exp_1", NOW + 1)] == [2]

    def test_finish_and_dispatch_stores_the_outcome_and_reserves_the_next_job_at_once(self):
        store = self.seeded(n=3, parallelism=1)
        store.reserve_dispatch("exp_1", NOW)
        store.claim("exp_1_job_0", "w1", NOW, 15)
        assert store.finish_and_dispatch("exp_1_job_0", "w2", "completed", None, {}, NOW) == (
            False,
            [],
        )
        stored, following = store.finish_and_dispatch(
            "exp_1_job_0", "w1", "failed", "exit code 3", {"x": 1}, NOW + 1
        )
        assert stored and [j.job_id for j in following] == ["exp_1_job_1"]
        assert following[0].dispatched_at == NOW + 1
        assert store.job("exp_1_job_0").reason == "exit code 3"
        assert store.reserve_dispatch("exp_1", NOW + 2) == []

    def test_an_experiment_fails_only_when_every_job_failed(self):
        store = self.seeded(n=2, parallelism=2)
        store.reserve_dispatch("exp_1", NOW)
        for job_id, status in (("exp_1_job_0", "failed"), ("exp_1_job_1", "completed")):
            store.claim(job_id, "w", NOW, 15)
            store.finish(job_id, "w", status, None, {}, NOW + 2)
        finished = store.get("exp_1")
        assert finished.status == "completed" and finished.finished_at == NOW + 2
        assert "exp_1" not in store.active_experiments()

    def test_renew_extends_the_lease_and_reports_cancels_and_lost_leases(self):
        store = self.seeded()
        store.claim("exp_1_job_0", "w1", NOW, 15)
        store.claim("exp_1_job_1", "w1", NOW, 15)
        assert store.renew("w1", ["exp_1_job_0", "exp_1_job_1"], NOW + 10, 15) == set()
        assert store.job("exp_1_job_0").lease_expires_at == NOW + 25
        running = store.cancel("exp_1", NOW + 11)
        assert {j.job_id for j in running} == {"exp_1_job_0", "exp_1_job_1"}
        assert store.job("exp_1_job_2").status == "canceled"
        assert store.renew("w1", ["exp_1_job_0"], NOW + 12, 15) == {"exp_1_job_0"}
        assert store.renew("w2", ["exp_1_job_1"], NOW + 12, 15) == {"exp_1_job_1"}

    def test_a_canceled_experiment_dispatches_nothing_and_its_jobs_cannot_be_claimed(self):
        store = self.seeded()
        store.cancel("exp_1", NOW)
        assert store.reserve_dispatch("exp_1", NOW) == []
        assert store.claim("exp_1_job_0", "w1", NOW, 15) is None
        assert store.get("exp_1").status == "canceled"

    def test_expired_leases_are_requeued_then_failed_at_the_attempt_limit(self):
        store = self.seeded(n=1, parallelism=1)
        store.reserve_dispatch("exp_1", NOW)
        store.claim("exp_1_job_0", "dead", NOW, 15)
        assert store.recover_expired(NOW + 10, 2) == []
        (first,) = store.recover_expired(NOW + 16, 2)
        assert first.status == "queued"
        requeued = store.job("exp_1_job_0")
        assert (requeued.status, requeued.dispatched_at, requeued.attempts) == ("queued", None, 1)
        store.claim("exp_1_job_0", "dead-again", NOW + 20, 15)
        (second,) = store.recover_expired(NOW + 40, 2)
        assert second.status == "failed"
        assert store.get("exp_1").status == "failed"
        assert "2 times" in store.job("exp_1_job_0").reason

    def test_a_released_job_is_queued_again_and_keeps_its_attempt_count(self):
        store = self.seeded(n=1, parallelism=1)
        store.claim("exp_1_job_0", "w1", NOW, 15)
        assert not store.release("exp_1_job_0", "w2", NOW)
        assert store.release("exp_1_job_0", "w1", NOW)
        job = store.job("exp_1_job_0")
        assert (job.status, job.attempts, job.lease_owner) == ("queued", 0, None)

    def test_stale_dispatches_are_handed_out_again_with_a_fresh_time(self):
        store = self.seeded(n=2, parallelism=2)
        store.reserve_dispatch("exp_1", NOW)
        store.claim("exp_1_job_0", "w1", NOW, 15)
        stale = store.stale_dispatches(NOW + 5, NOW + 30)
        assert [j.job_id for j in stale] == ["exp_1_job_1"]
        assert store.stale_dispatches(NOW + 5, NOW + 31) == []

    def test_progress_merges_logs_append_and_checkpoints_round_trip(self):
        store = self.seeded()
        store.record_progress("exp_1_job_0", {"done": 1, "total": 4}, NOW)
        store.record_progress("exp_1_job_0", {"done": 2}, NOW + 1)
        progress = store.job("exp_1_job_0").progress
        assert (progress["done"], progress["total"]) == (2, 4)
        store.append_log("exp_1_job_0", ["a", "b"])
        store.append_log("exp_1_job_0", ["c"])
        assert store.read_log("exp_1_job_0") == (["a", "b", "c"], 3)
        assert store.read_log("exp_1_job_0", 2) == (["c"], 3)
        assert store.read_log("exp_1_job_0", 3) == ([], 3)
        assert store.load_checkpoint("exp_1_job_0") is None
        store.save_checkpoint("exp_1_job_0", {"step": 3})
        assert store.load_checkpoint("exp_1_job_0") == {"step": 3}

    def test_workers_are_recorded_by_heartbeat_and_removed(self):
        store = self.make_store()
        record = WorkerRecord("h:1:a", "h", 1, 4, "redis://x", "/home", ("j1",), NOW, NOW + 2)
        store.heartbeat_worker(record)
        assert store.workers() == [record]
        store.remove_worker("h:1:a")
        assert store.workers() == []

    def test_one_scheduler_leads_until_its_lease_lapses(self):
        store = self.make_store()
        now = time.time()
        assert store.try_lead("scheduler", "a", now, 0.3)
        assert not store.try_lead("scheduler", "b", now, 0.3)
        assert store.try_lead("scheduler", "a", now, 0.3)
        time.sleep(0.4)
        assert store.try_lead("scheduler", "b", time.time(), 0.3)
