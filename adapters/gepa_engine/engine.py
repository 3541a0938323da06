"""GEPA on the reference implementation: our ``GEPAAdapter`` over an ``OptimisationRun``.

The candidate GEPA evolves has one component, ``instruction`` (the system instruction); the
initial prompt's demonstrations and task template ride along unchanged. ``evaluate`` runs the
candidate's rollouts on the task app (through the run, so they are budgeted, parallel and
journaled); a batch equal to the validation seeds also scores the candidate for the catalog.
``make_reflective_dataset`` gives the reflection model each example's input, the policy's
answer, the score and the task app's feedback. The reflection model is called through the
run (the job's session), and GEPA's engine does the rest: Pareto selection, minibatch
acceptance, merges. ``Lineage`` hears which programs each new one was made from (one parent for
a reflective mutation, two for a merge) and records them on the run's candidates.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from gepa import optimize
from gepa.core.adapter import EvaluationBatch
from synth_ai.domain.optimisation.errors import BudgetExhausted, JobCancelled

log = logging.getLogger("synth_ai.optimise.gepa")
COMPONENT = "instruction"
STALL_LIMIT = 5


class _QuietLogger:
    def __init__(self, run):
        self.run = run

    def log(self, message: str) -> None:
        log.debug("%s", message)


def _user_turn(messages: Sequence[dict]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            return message["content"]
    return ""


class TaskAppGepaAdapter:
    """Implements ``gepa.core.adapter.GEPAAdapter`` (DataInst = seed, Trajectory = result)."""

    propose_new_texts = None

    def __init__(self, run):
        self.run = run
        self.initial = run.config.initial_candidate
        self.validation = sorted(run.config.validation_seeds)

    def candidate_of(self, texts: Mapping[str, str]):
        return self.initial.with_instruction(texts[COMPONENT])

    def evaluate(self, batch: list[int], candidate: dict[str, str], capture_traces: bool = False):
        prompt = self.candidate_of(candidate)
        results = self.run.evaluate(prompt, list(batch))
        if sorted(batch) == self.validation:
            self.run.record_validation(prompt, results, "gepa")
        return EvaluationBatch(
            outputs=[r.output for r in results],
            scores=[r.score for r in results],
            trajectories=list(results) if capture_traces else None,
        )

    def make_reflective_dataset(
        self, candidate: dict[str, str], eval_batch, components_to_update: list[str]
    ) -> dict[str, list[dict[str, Any]]]:
        records = []
        for result in eval_batch.trajectories or []:
            feedback = result.feedback or (
                "correct" if result.score >= self.run.config["gepa.perfect_score"] else "wrong"
            )
            records.append(
                {
                    "Inputs": _user_turn(result.messages) or f"task seed {result.seed}",
                    "Generated Outputs": result.output,
                    "Feedback": f"score {result.score:.2f}. {feedback}",
                }
            )
        return {name: records for name in components_to_update}


class Lineage:
    """A ``gepa.core.callbacks.GEPACallback`` (only the hook it needs): GEPA numbers its programs
    (0 is the seed); each one that joins the pool is valset-evaluated with its parents' numbers,
    which become the run's ``parents`` of that candidate. A re-run replays the same walk, so it
    records the same lineage."""

    def __init__(self, run, adapter: TaskAppGepaAdapter):
        self.run, self.adapter = run, adapter
        self.programs = {0: adapter.initial}

    def on_valset_evaluated(self, event) -> None:
        child = self.adapter.candidate_of(event["candidate"])
        self.programs[event["candidate_idx"]] = child
        parents = [self.programs[i] for i in event["parent_ids"] if i in self.programs]
        self.run.record_parents(child, parents)


class GepaSearch:
    """``PromptSearch`` running ``gepa.optimize`` with our adapter until the budget is spent."""

    def search(self, run) -> None:
        config = run.config
        adapter = TaskAppGepaAdapter(run)

        def reflect(prompt: str | list[dict]) -> str:
            messages = prompt if isinstance(prompt, list) else [{"role": "user", "content": prompt}]
            return run.ask(
                messages,
                model=config.proposer_model,
                temperature=config["gepa.proposer.temperature"],
                max_tokens=config["gepa.proposer.max_completion_tokens"],
            )

        stalled = {"seen": -1, "count": 0}
        why: list[str] = []

        def stop(_state) -> bool:
            if run.stop_reason is not None:
                return True
            best = run.best()
            if best is not None and best.validation_score >= config["gepa.perfect_score"]:
                run.log("gepa: the best candidate reached perfect_score; stopping")
                return True
            # Iterations that touch no new rollout or answer go round in circles.
            seen = len(run.touched)
            stalled["count"] = stalled["count"] + 1 if seen == stalled["seen"] else 0
            stalled["seen"] = seen
            if stalled["count"] >= STALL_LIMIT:
                run.log(f"gepa: {STALL_LIMIT} iterations proposed nothing new; stopping")
                return True
            if run.evaluator.cancelled():
                run.stop_reason = "canceled"
                return True
            # Nothing more fits: a minibatch of the parent and of the child.
            if run.evaluator.remaining < 2 * config["gepa.rollout.minibatch_size"]:
                why.append("budget")
                return True
            return False

        try:
            optimize(
                seed_candidate={COMPONENT: adapter.initial.instruction},
                trainset=list(config.train_seeds),
                valset=list(config.validation_seeds),
                adapter=adapter,
                reflection_lm=reflect,
                candidate_selection_strategy=config["gepa.candidate_selection"],
                reflection_minibatch_size=config["gepa.rollout.minibatch_size"],
                perfect_score=config["gepa.perfect_score"],
                use_merge=config["gepa.use_merge"],
                stop_callbacks=[stop],
                callbacks=[Lineage(run, adapter)],
                logger=_QuietLogger(run),
                seed=config["seed"],
                raise_on_exception=True,
                display_progress_bar=False,
            )
        except (BudgetExhausted, JobCancelled):
            raise
        if run.stop_reason is None and why:
            run.log("gepa: the rollout budget cannot fit another iteration; stopping")
            run.stop_reason = "budget_exhausted"
