"""Where each candidate came from: GEPA's parents (one for a reflective mutation, two for a
merge), MIPRO's instruction and demo set, kept the same by a resumed job."""

from __future__ import annotations

import pytest
from synth_ai.adapters.gepa_engine.engine import Lineage, TaskAppGepaAdapter
from synth_ai.domain.optimisation.candidate import Candidate
from synth_ai.domain.optimisation.config import OptimisationConfig
from synth_ai.domain.optimisation.evaluation import Evaluator, Journal, PolicySettings
from synth_ai.domain.optimisation.results import snapshot_of
from synth_ai.domain.optimisation.run import OptimisationRun
from synth_ai.ports.optimisation import Spend

from tests.fakes import FakeClock
from tests.fakes.jobs import FakeJobContext, WorkerKilled
from tests.fakes.optimisation import prompt_learning
from tests.unit.test_optimisation_service import World


def snapshots(world: World, outcome) -> dict[str, dict]:
    shots = world.catalog.list_snapshots(outcome.result["artifact_id"])
    return {s.snapshot_id: s.payload for s in sorted(shots, key=lambda s: s.snapshot_id)}


def lineage(world: World, outcome) -> dict[str, list[str]]:
    return {sid: payload["parents"] for sid, payload in snapshots(world, outcome).items()}


def a_run(world: World) -> OptimisationRun:
    config = OptimisationConfig.parse(prompt_learning("gepa", "http://t"))
    evaluator = Evaluator(
        rollouts=world.rollouts,
        trials=world.trials,
        session_id="opt_lineage",
        policy=PolicySettings("scripted"),
        journal=Journal(),
        budget=100,
        max_concurrent=2,
        run_prefix="pl_lineage",
    )
    return OptimisationRun(
        config=config,
        evaluator=evaluator,
        chat=world.chat,
        session_id="opt_lineage",
        spend=Spend,
        clock=FakeClock(),
    )


def parents_of(run: OptimisationRun, candidate: Candidate) -> list[str]:
    return snapshot_of("pl_lineage", run.scored[candidate.key()], 0.0).payload["parents"]


def test_a_gepa_child_records_the_candidate_it_was_reflected_from(tmp_path):
    world = World()

    outcome, _ = world.run("gepa", tmp_path)

    parents = lineage(world, outcome)
    assert parents["cand_000"] == []  # the baseline
    children = {sid: p for sid, p in parents.items() if sid != "cand_000"}
    assert children and all(1 <= len(p) <= 2 for p in children.values()), parents
    assert all(parent < child for child, p in children.items() for parent in p), parents
    assert parents["cand_001"] == ["cand_000"]


def test_a_merge_records_both_parents_in_the_order_gepa_gives_them():
    world = World()
    run = a_run(world)
    adapter = TaskAppGepaAdapter(run)
    heard = Lineage(run, adapter)
    baseline = adapter.initial
    run.validate(baseline, "baseline")
    left, right = baseline.with_instruction("Left."), baseline.with_instruction("Right.")
    merged = baseline.with_instruction("Left. Right.")

    for number, child, parent_ids in ((1, left, [0]), (2, right, [0]), (3, merged, [2, 1])):
        run.validate(child, "gepa")
        heard.on_valset_evaluated(
            {
                "candidate_idx": number,
                "candidate": {"instruction": child.instruction},
                "parent_ids": parent_ids,
            }
        )

    assert parents_of(run, left) == parents_of(run, right) == ["cand_000"]
    assert parents_of(run, merged) == ["cand_002", "cand_001"]


def test_a_child_repeating_an_earlier_candidate_keeps_the_lineage_it_was_first_scored_with():
    run = a_run(World())
    baseline = run.config.initial_candidate
    child = baseline.with_instruction("Better.")
    run.validate(baseline, "baseline")
    run.validate(child, "gepa")

    run.record_parents(child, [baseline])
    run.record_parents(child, [child])  # proposed again from itself: not its own parent
    run.record_parents(baseline, [child])  # a later candidate is never an earlier one's parent

    assert parents_of(run, child) == ["cand_000"]
    assert parents_of(run, baseline) == []


def test_a_mipro_trial_has_no_parent_but_names_the_instruction_and_demo_set_it_combined(
    tmp_path,
):
    world = World()

    outcome, _ = world.run("mipro", tmp_path)

    shots = snapshots(world, outcome)
    assert all(payload["parents"] == [] for payload in shots.values())
    assert "built_from" not in shots["cand_000"]
    trials = [payload["built_from"] for sid, payload in shots.items() if sid != "cand_000"]
    assert trials and all(set(t) == {"instruction", "demo_set"} for t in trials), trials
    assert any(t["instruction"] > 0 for t in trials), trials  # a proposal, not the initial one


@pytest.mark.parametrize("kind", ["gepa", "mipro"])
def test_a_resumed_job_records_the_same_lineage_as_an_uninterrupted_one(kind, tmp_path):
    fresh_world = World()
    fresh, _ = fresh_world.run(kind, tmp_path / "a")
    world = World()
    (tmp_path / "b").mkdir()
    dying = FakeJobContext(
        prompt_learning(kind, "http://task.invalid"), workdir=tmp_path / "b", die_after_rollouts=9
    )
    with pytest.raises(WorkerKilled):
        world.service().run(dying)

    rerun = FakeJobContext(
        dying.config, workdir=tmp_path / "b", attempt=2, checkpoint=dying.checkpoint
    )
    outcome = world.service().run(rerun)

    resumed = {
        sid: (p["parents"], p.get("built_from")) for sid, p in snapshots(world, outcome).items()
    }
    expected = {
        sid: (p["parents"], p.get("built_from")) for sid, p in snapshots(fresh_world, fresh).items()
    }
    assert resumed == expected and len(resumed) >= 2
    assert any(parents or source for parents, source in resumed.values())  # not all empty
