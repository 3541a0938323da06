"""MIPRO without DSPy: proposals from a meta model, bootstrapped demos, a TPE search.

The pieces of DSPy's MIPROv2, over our ports:

1. **Observe**: the initial prompt runs on the train seeds; its answers and the task app's
   feedback are what the proposer sees.
2. **Propose**: the meta model writes ``num_instructions`` instructions, each from the same
   observations plus a different tip (as MIPROv2's grounded proposer does).
3. **Bootstrap**: every instruction runs on the train seeds; rollouts that score at least
   ``few_shot_score_threshold`` become demonstration pairs (the task's user turn and the
   policy's answer). ``num_demo_sets`` sets of ``max_demos`` pairs are drawn with the job's seed.
4. **Search**: a categorical TPE sampler (Optuna's ``TPESampler`` behind ``SearchFactory``)
   picks (instruction, demo set) pairs for ``num_iterations`` trials, each scored on the
   validation seeds (or a ``batch_size`` sample of them); the best validated pair wins.
"""

from __future__ import annotations

import random
import re
from typing import Any

from synth_ai.domain.optimisation.candidate import Candidate, Demo
from synth_ai.domain.optimisation.evaluation import RolloutResult
from synth_ai.domain.optimisation.run import OptimisationRun, mean
from synth_ai.ports.optimisation import SearchFactory

TIPS = (
    "Make the instruction follow every piece of feedback exactly.",
    "Keep the instruction short and precise.",
    "Describe the task and the expected answer format in detail.",
    "Write the instruction as an expert would brief a new colleague.",
    "Make the instruction creative while staying correct.",
    "Point out the mistakes the assistant made and how to avoid them.",
)
_TAGGED = re.compile(r"<instruction>(.*?)</instruction>", re.S)
_FENCED = re.compile(r"```(?:[a-z]*\n)?(.*?)```", re.S)


def parse_instruction(text: str) -> str:
    for pattern in (_TAGGED, _FENCED):
        found = pattern.search(text)
        if found and found.group(1).strip():
            return found.group(1).strip()
    return text.strip()


def _user_turn(result: RolloutResult) -> str:
    for message in reversed(result.messages):
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, str):
            return content
    return ""


def built_from(instruction: int, demo_set: int) -> dict[str, int]:
    """Which proposals a trial combined (0 is the initial prompt's instruction, its demos)."""
    return {"instruction": instruction, "demo_set": demo_set}


def proposer_prompt(
    current: str, observations: list[RolloutResult], number: int, total: int, tip: str
) -> list[dict[str, Any]]:
    examples = "\n\n".join(
        f"Input: {_user_turn(r) or '(seed ' + str(r.seed) + ')'}\n"
        f"Answer: {r.output}\nScore: {r.score:.2f}\nFeedback: {r.feedback or '(none)'}"
        for r in observations
    )
    text = (
        "You write system instructions for an assistant that solves a task.\n\n"
        f"Current instruction:\n```\n{current}\n```\n\n"
        f"Examples of the task with the assistant's answers and the grader's feedback:\n"
        f"```\n{examples}\n```\n\n"
        f"Write proposal {number} of {total}. Tip: {tip}\n"
        "Answer with the new instruction only, between <instruction> and </instruction>."
    )
    return [{"role": "user", "content": text}]


class MiproSearch:
    def __init__(self, sampler: SearchFactory):
        self.sampler = sampler

    def search(self, run: OptimisationRun) -> None:
        config = run.config
        initial = config.initial_candidate
        train = list(config.train_seeds)
        observed = run.evaluate(initial, train)

        instructions = [initial.instruction]
        total = config["mipro.num_instructions"]
        for number in range(1, total + 1):
            answer = run.ask(
                proposer_prompt(
                    initial.instruction, observed, number, total, TIPS[(number - 1) % len(TIPS)]
                ),
                model=config.proposer_model,
                temperature=config["mipro.meta_temperature"],
                max_tokens=config["mipro.meta_max_completion_tokens"],
            )
            proposal = parse_instruction(answer)
            if proposal and proposal not in instructions:
                instructions.append(proposal)
        run.log(f"mipro: {len(instructions)} instructions (initial + proposals)")

        threshold = config["mipro.few_shot_score_threshold"]
        pool: list[Demo] = []
        for instruction in instructions:
            outcomes = run.evaluate(initial.with_instruction(instruction), train)
            for result in outcomes:
                user = _user_turn(result)
                demo = Demo(user, result.output)
                if result.score >= threshold and user and result.output and demo not in pool:
                    pool.append(demo)
        rng = random.Random(config["seed"])
        demo_sets: list[tuple[Demo, ...]] = [initial.demos]
        for _ in range(config["mipro.num_demo_sets"]):
            if not pool:
                break
            chosen = tuple(rng.sample(pool, min(config["mipro.max_demos"], len(pool))))
            if chosen not in demo_sets:
                demo_sets.append(chosen)
        run.log(f"mipro: {len(pool)} bootstrapped demos, {len(demo_sets)} demo sets")

        search = self.sampler.new(
            {"instruction": len(instructions), "demos": len(demo_sets)},
            seed=config["seed"],
            n_startup_trials=config["mipro.tpe.n_startup_trials"],
            n_ei_candidates=config["mipro.tpe.n_ei_candidates"],
        )
        validation = list(config.validation_seeds)
        batch = config["mipro.batch_size"]
        for _ in range(config["mipro.num_iterations"]):
            number, choice = search.ask()
            candidate = Candidate(
                instructions[choice["instruction"]], demo_sets[choice["demos"]], initial.template
            )
            if batch and batch < len(validation):
                seeds = rng.sample(validation, batch)
                score = mean([r.score for r in run.evaluate(candidate, seeds)])
            else:
                score = run.validate(
                    candidate,
                    "mipro",
                    built_from=built_from(choice["instruction"], choice["demos"]),
                )
            search.tell(number, score)
            best = run.best()
            if best and best.validation_score >= config["mipro.perfect_score"] and not batch:
                run.log("mipro: a candidate reached perfect_score; stopping the search")
                break
        # Trials scored on samples are validated on the full set at the end (the best few).
        if batch and batch < len(validation):
            for candidate, source in self._top_sampled(run, instructions, demo_sets, initial):
                run.validate(candidate, "mipro", built_from=source)

    @staticmethod
    def _top_sampled(
        run: OptimisationRun,
        instructions: list[str],
        demo_sets: list[tuple[Demo, ...]],
        initial: Candidate,
    ) -> list[tuple[Candidate, dict[str, int]]]:
        scored = []
        for i, instruction in enumerate(instructions):
            for j, demos in enumerate(demo_sets):
                candidate = Candidate(instruction, demos, initial.template)
                key = candidate.key()
                seen = [
                    state["score"]
                    for ident, state in run.journal.rollouts.items()
                    if ident.startswith(key + ":")
                ]
                if seen and (i or j):
                    scored.append((mean(seen), candidate, built_from(i, j)))
        scored.sort(key=lambda item: -item[0])
        return [(candidate, source) for _, candidate, source in scored[:3]]
