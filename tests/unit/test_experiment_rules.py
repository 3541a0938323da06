"""The experiment queue's pure rules: states, the dispatch rule, override merging."""

import pytest
from synth_ai.domain.experiments.model import (
    CANCELED,
    COMPLETED,
    FAILED,
    QUEUED,
    RUNNING,
    Job,
    can_move,
    experiment_status,
    free_slots,
    lost_job_outcome,
    next_to_dispatch,
)
from synth_ai.domain.experiments.overrides import UnknownOverrideKey, apply_overrides, flatten


def job(index, status=QUEUED, dispatched=None, **kw):
    return Job(
        f"job_{index}",
        "exp_1",
        index,
        "command",
        "/c.toml",
        status=status,
        dispatched_at=dispatched,
        **kw,
    )


def test_a_finished_job_never_moves_again():
    for done in (COMPLETED, FAILED, CANCELED):
        assert not any(can_move(done, target) for target in (QUEUED, RUNNING, COMPLETED))


def test_a_queued_job_may_start_or_be_canceled_but_not_finish_unstarted():
    assert can_move(QUEUED, RUNNING) and can_move(QUEUED, CANCELED)
    assert not can_move(QUEUED, COMPLETED)


def test_dispatch_fills_free_slots_in_submission_order():
    jobs = [job(2), job(0), job(1), job(3)]
    assert [j.index for j in next_to_dispatch(3, jobs)] == [0, 1, 2]


def test_running_and_dispatched_jobs_count_against_parallelism():
    jobs = [job(0, RUNNING), job(1, dispatched=1.0), job(2), job(3)]
    assert free_slots(3, jobs) == 1
    assert [j.index for j in next_to_dispatch(3, jobs)] == [2]


def test_finished_jobs_free_their_slot():
    jobs = [job(0, COMPLETED), job(1, FAILED), job(2)]
    assert [j.index for j in next_to_dispatch(1, jobs)] == [2]


def test_an_experiment_fails_only_if_every_job_failed():
    assert experiment_status([job(0, FAILED), job(1, COMPLETED)]) == COMPLETED
    assert experiment_status([job(0, FAILED), job(1, FAILED)]) == FAILED


def test_an_experiment_is_running_while_any_job_is_unfinished():
    assert experiment_status([job(0, COMPLETED), job(1)]) == RUNNING
    assert experiment_status([job(0), job(1)]) == QUEUED


def test_a_canceled_experiment_stays_running_until_its_running_jobs_stop():
    assert experiment_status([job(0, RUNNING), job(1, CANCELED)], canceled=True) == RUNNING
    assert experiment_status([job(0, COMPLETED), job(1, CANCELED)], canceled=True) == CANCELED


def test_a_lost_job_is_requeued_until_it_reaches_the_attempt_limit():
    assert lost_job_outcome(job(0, RUNNING, attempts=1), 3) == (QUEUED, None)
    status, reason = lost_job_outcome(job(0, RUNNING, attempts=3), 3)
    assert status == FAILED and "3 times" in reason


def test_a_lost_job_whose_cancel_was_requested_ends_canceled():
    assert lost_job_outcome(job(0, RUNNING, attempts=1, cancel_requested=True), 3)[0] == CANCELED


def test_dotted_and_nested_overrides_merge_into_a_copy():
    config = {"optimizer": {"rollouts": 10, "model": "a"}, "seed": 1}
    merged = apply_overrides(
        config, {"optimizer.rollouts": 50, "seed": 2, "optimizer": {"model": "b"}}
    )
    assert merged == {"optimizer": {"rollouts": 50, "model": "b"}, "seed": 2}
    assert config["optimizer"]["rollouts"] == 10


def test_an_override_of_a_key_the_file_lacks_names_the_missing_part():
    with pytest.raises(UnknownOverrideKey) as caught:
        apply_overrides({"optimizer": {"rollouts": 1}}, {"optimiser.rollouts": 5})
    assert caught.value.dotted == "optimiser.rollouts" and caught.value.missing == "optimiser"


def test_an_override_cannot_descend_into_a_scalar():
    with pytest.raises(UnknownOverrideKey):
        apply_overrides({"seed": 1}, {"seed.value": 5})


def test_flatten_keeps_an_empty_table_as_a_value():
    assert flatten({"a": {}, "b": {"c": 1}}) == {"a": {}, "b.c": 1}
