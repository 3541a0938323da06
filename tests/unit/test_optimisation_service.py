"""The optimisation use case on fakes: searches that work, budgets that hold, resumes, cancels."""

from __future__ import annotations

import pytest
from synth_ai.adapters.gepa_engine import GepaSearch
from synth_ai.adapters.optuna_search import TpeSearchFactory
from synth_ai.domain.optimisation.errors import BudgetExhausted
from synth_ai.domain.optimisation.mipro import MiproSearch, parse_instruction
from synth_ai.domain.optimisation.service import OptimisePrompt

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.artifacts import FakeArtifactCatalog
from tests.fakes.jobs import FakeJobContext, WorkerKilled
from tests.fakes.optimisation import RULE_WORDS, prompt_learning
from tests.fakes.optimisation_ports import (
    FakeChat,
    FakeSessions,
    ScriptedRollouts,
    ScriptedTrials,
)


class World:
    def __init__(self, limit_calls: int | None = None):
        self.sessions = FakeSessions(limit_calls)
        self.trials = ScriptedTrials(self.sessions)
        self.rollouts = ScriptedRollouts(self.trials)
        self.chat = FakeChat(self.sessions)
        self.catalog = FakeArtifactCatalog()

    def service(self) -> OptimisePrompt:
        return OptimisePrompt(
            engines={"gepa": GepaSearch(), "mipro": MiproSearch(TpeSearchFactory())},
            rollouts_for=lambda config, env: self.rollouts,
            trials=self.trials,
            sessions=self.sessions,
            chat=self.chat,
            catalog=self.catalog,
            clock=FakeClock(),
            ids=SequentialIds(),
        )

    def run(self, kind: str, tmp_path, **ctx_args):
        config = ctx_args.pop("config", None) or prompt_learning(kind, "http://task.invalid")
        ctx = FakeJobContext(config, workdir=tmp_path, **ctx_args)
        return self.service().run(ctx), ctx


@pytest.mark.parametrize("kind", ["gepa", "mipro"])
def test_the_search_lifts_the_validation_score_from_zero_to_the_ceiling(kind, tmp_path):
    world = World()

    outcome, ctx = world.run(kind, tmp_path)

    assert outcome.status == "completed" and outcome.reason is None
    assert (outcome.result["baseline_score"], outcome.result["best_score"]) == (0.0, 1.0)
    assert world.rollouts.count == outcome.result["rollouts"]
    job = world.catalog.get_prompt_job(outcome.result["artifact_id"])
    best = world.catalog.get_snapshot(job.job_id, job.best_snapshot_id)
    assert RULE_WORDS in best.payload["messages"][0]["content"]
    assert all(isinstance(e["done"], int) for e in ctx.events)


def test_gepa_without_feedback_in_its_reflection_stays_at_the_baseline(tmp_path, monkeypatch):
    """The control: a reflection model that learns nothing leaves the score where it was."""
    world = World()
    monkeypatch.setattr(world.chat, "complete", lambda **kw: "```\nBe helpful.\n```")
    config = prompt_learning(
        "gepa", "http://task.invalid", gepa__rollout={"budget": 40, "minibatch_size": 3}
    )

    outcome, _ = world.run("gepa", tmp_path, config=config)

    assert outcome.result["best_score"] == 0.0


def test_the_session_refusing_a_call_ends_the_job_completed_with_its_best_so_far(tmp_path):
    world = World(limit_calls=20)

    outcome, _ = world.run("gepa", tmp_path)

    assert (outcome.status, outcome.reason) == ("completed", "budget_exhausted")
    assert outcome.result["best_score"] is not None
    assert world.sessions.calls == 20


def test_a_rerun_replays_its_checkpoint_instead_of_running_those_rollouts_again(tmp_path):
    fresh_world = World()
    fresh, _ = fresh_world.run("gepa", tmp_path / "a")
    world = World()
    (tmp_path / "b").mkdir()
    dying = FakeJobContext(
        prompt_learning("gepa", "http://task.invalid"), workdir=tmp_path / "b", die_after_rollouts=9
    )
    with pytest.raises(WorkerKilled):
        world.service().run(dying)
    before = world.rollouts.count

    rerun = FakeJobContext(
        dying.config, workdir=tmp_path / "b", attempt=2, checkpoint=dying.checkpoint
    )
    outcome = world.service().run(rerun)

    assert outcome.result["best_score"] == 1.0
    assert outcome.result["rollouts"] == fresh.result["rollouts"]
    assert outcome.result["learning_curve"] == fresh.result["learning_curve"]
    assert world.rollouts.count - before == outcome.result["rollouts_this_attempt"]
    assert outcome.result["rollouts_this_attempt"] < fresh.result["rollouts_this_attempt"]
    assert any("resuming attempt 2" in line for line in rerun.lines)


def test_a_canceled_job_reports_canceled_and_records_what_it_has(tmp_path):
    world = World()

    outcome, _ = world.run("gepa", tmp_path, cancel_after_rollouts=6)

    assert (outcome.status, outcome.reason) == ("failed", "canceled")
    assert world.rollouts.count == 6
    job = world.catalog.get_prompt_job(outcome.result["artifact_id"])
    assert job.status == "canceled" and job.metadata["baseline_score"] == 0.0


def test_a_proposal_is_read_from_tags_or_a_fence_or_as_plain_text():
    assert parse_instruction("x <instruction> A </instruction> y") == "A"
    assert parse_instruction("```\nB\n```") == "B"
    assert parse_instruction(" C ") == "C"


def test_a_task_app_that_fails_every_baseline_rollout_fails_the_job_with_its_error(tmp_path):
    from synth_ai.domain.errors import UpstreamError

    world = World()

    def down(request):
        raise UpstreamError("task app http://task.invalid/rollout answered HTTP 502: bad gateway")

    world.rollouts.rollout = down

    outcome, _ = world.run("gepa", tmp_path)

    assert outcome.status == "failed"
    assert "every baseline rollout failed" in outcome.reason and "HTTP 502" in outcome.reason


def test_a_replayed_walk_meets_each_decision_with_the_budget_it_first_had():
    from synth_ai.domain.optimisation.candidate import Candidate
    from synth_ai.domain.optimisation.evaluation import Evaluator, Journal, PolicySettings

    world = World()

    def evaluator(journal):
        return Evaluator(
            rollouts=world.rollouts,
            trials=world.trials,
            session_id="opt_x",
            policy=PolicySettings("scripted"),
            journal=journal,
            budget=10,
            max_concurrent=2,
            run_prefix="pl_1",
        )

    first = evaluator(Journal())
    first.evaluate(Candidate("A"), range(5))
    first.evaluate(Candidate("B"), range(5))
    first.close()
    replay = evaluator(Journal.from_state(first.journal.to_state()))

    replay.evaluate(Candidate("A"), range(5))

    assert (replay.remaining, world.rollouts.count) == (5, 10)  # not 0: B is still ahead
    replay.evaluate(Candidate("B"), range(5))
    with pytest.raises(BudgetExhausted):
        replay.evaluate(Candidate("C"), range(1))
    replay.close()
