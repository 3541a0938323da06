"""One optimisation run: what both searches share (evaluation, model calls, scores, progress).

GEPA and MIPRO drive a run: they evaluate candidates on seeds, validate the promising ones
(validation seeds), and ask the proposer model. The run keeps every validated candidate in the
order it was first scored, the learning curve (rollouts → best validation score) and the
progress events.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from attrs import define, field, frozen
from synth_ai.domain.errors import LimitExceeded
from synth_ai.domain.optimisation.candidate import Candidate
from synth_ai.domain.optimisation.config import OptimisationConfig
from synth_ai.domain.optimisation.errors import BudgetExhausted, JobCancelled
from synth_ai.domain.optimisation.evaluation import Evaluator, RolloutResult
from synth_ai.ports.clock import Clock
from synth_ai.ports.optimisation import MeteredChat, Spend


@define
class ScoredCandidate:
    index: int
    candidate: Candidate
    validation_score: float
    rollouts_at: int  # total rollouts when it was scored
    origin: str  # "baseline", "gepa", "mipro"
    seed_scores: dict[int, float] = field(factory=dict)
    train_scores: list[float] = field(factory=list)  # minibatch means seen for it
    # The candidates it was made from (their indexes): one for a GEPA reflective mutation,
    # two for a merge, none for the baseline or a MIPRO trial.
    parents: list[int] = field(factory=list)
    # What a MIPRO trial combined: {"instruction": i, "demo_set": j} (0 is the initial prompt's).
    built_from: dict[str, int] = field(factory=dict)


@frozen
class CurvePoint:
    rollouts: int
    best_validation_score: float


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


class OptimisationRun:
    def __init__(
        self,
        *,
        config: OptimisationConfig,
        evaluator: Evaluator,
        chat: MeteredChat,
        session_id: str,
        spend: Callable[[], Spend],
        clock: Clock,
        progress: Callable[..., None] = lambda **fields: None,
        log: Callable[[str], None] = lambda line: None,
        checkpoint: Callable[[], None] = lambda: None,
    ):
        self.config = config
        self.evaluator = evaluator
        self.journal = evaluator.journal
        self.chat = chat
        self.session_id = session_id
        self._spend = spend
        self._progress = progress
        self.log = log
        self._checkpoint = checkpoint
        self.scored: dict[str, ScoredCandidate] = {}
        self.curve: list[CurvePoint] = []
        self.best_train: float | None = None
        self.stop_reason: str | None = None
        self.last_spend = Spend()
        self.clock = clock
        self.started = clock.now()
        # Rollouts and answers this attempt has used (replayed or new): a search whose steps
        # add nothing new is going round in circles.
        self.touched: set[str] = set()
        self.tried: set[str] = set()  # candidates evaluated on any seeds (this attempt)

    # -- evaluation -------------------------------------------------------------------------
    def evaluate(self, candidate: Candidate, seeds: Sequence[int]) -> list[RolloutResult]:
        try:
            results = self.evaluator.evaluate(candidate, seeds)
        except BudgetExhausted:
            self.stop_reason = "budget_exhausted"
            raise
        except JobCancelled:
            self.stop_reason = "canceled"
            raise
        key = candidate.key()
        self.tried.add(key)
        self.touched.update(f"{key}:{s}" for s in seeds)
        validation = set(self.config.validation_seeds)
        if set(seeds) != validation:
            score = mean([r.score for r in results])
            self.best_train = score if self.best_train is None else max(self.best_train, score)
            known = self.scored.get(candidate.key())
            if known is not None:
                known.train_scores.append(score)
        self._checkpoint()
        self.report()
        return results

    def validate(
        self, candidate: Candidate, origin: str, *, built_from: Mapping[str, int] | None = None
    ) -> float:
        """Score a candidate on the validation seeds (once; later calls are free)."""
        known = self.scored.get(candidate.key())
        if known is not None:
            return known.validation_score
        results = self.evaluate(candidate, self.config.validation_seeds)
        return self.record_validation(candidate, results, origin, built_from=built_from)

    def record_validation(
        self,
        candidate: Candidate,
        results: Sequence[RolloutResult],
        origin: str,
        *,
        built_from: Mapping[str, int] | None = None,
    ) -> float:
        key = candidate.key()
        if key in self.scored:
            return self.scored[key].validation_score
        score = mean([r.score for r in results])
        self.scored[key] = ScoredCandidate(
            len(self.scored),
            candidate,
            score,
            self.rollouts_so_far,
            origin,
            {r.seed: r.score for r in results},
            built_from=dict(built_from or {}),
        )
        best = self.best()
        assert best is not None
        self.curve.append(CurvePoint(self.rollouts_so_far, best.validation_score))
        self.log(
            f"candidate {len(self.scored) - 1} ({origin}): validation {score:.3f}, "
            f"best {best.validation_score:.3f} after {self.rollouts_so_far} rollouts"
        )
        self.report()
        return score

    def record_parents(self, child: Candidate, parents: Sequence[Candidate]) -> None:
        """Note the validated candidates ``child`` was made from. Only candidates scored before
        it count, so a child whose text repeats an earlier candidate (or its parent) keeps the
        lineage it was first scored with."""
        scored = self.scored.get(child.key())
        if scored is None or scored.parents:
            return
        indexes = [
            known.index
            for parent in parents
            if (known := self.scored.get(parent.key())) is not None and known.index < scored.index
        ]
        scored.parents = list(dict.fromkeys(indexes))

    @property
    def rollouts_so_far(self) -> int:
        """Distinct rollouts the search has used up to this point of its walk — also while a
        re-run replays the journal, whose total is already the end of the last attempt."""
        return self.evaluator.used

    def best(self) -> ScoredCandidate | None:
        if not self.scored:
            return None
        return max(self.scored.values(), key=lambda s: (s.validation_score, -s.index))

    @property
    def baseline(self) -> ScoredCandidate | None:
        return next((s for s in self.scored.values() if s.origin == "baseline"), None)

    # -- model calls (reflection, proposals) ------------------------------------------------
    def ask(
        self, messages: list[dict[str, Any]], *, model: str, temperature: float, max_tokens: int
    ) -> str:
        """A proposer/reflection answer through the job's session (journaled for resume)."""
        raw = json.dumps([model, temperature, max_tokens, messages], sort_keys=True).encode()
        key = hashlib.sha256(raw).hexdigest()[:24]
        self.touched.add(key)
        if key in self.journal.answers:
            return self.journal.answers[key]
        if self.evaluator.cancelled():
            self.stop_reason = "canceled"
            raise JobCancelled("the job was canceled")
        try:
            text = self.chat.complete(
                session_id=self.session_id,
                model=model,
                messages=messages,
                temperature=temperature,
                max_tokens=max_tokens,
            )
        except LimitExceeded as exc:
            self.stop_reason = "budget_exhausted"
            raise BudgetExhausted(
                f"the job's session refused a proposer call: {exc.message}"
            ) from exc
        self.journal.answers[key] = text
        self.journal.calls_now += 1
        self._checkpoint()
        return text

    # -- progress ---------------------------------------------------------------------------
    def report(self, **extra: Any) -> None:
        try:
            self.last_spend = self._spend()
        except Exception as exc:  # progress must never stop the search
            self.log(f"could not read the session's spend: {exc}")
        done = self.evaluator.used
        budget = self.evaluator.budget
        elapsed = self.clock.now() - self.started
        ran = self.journal.ran_now
        eta = (elapsed / ran) * (budget - done) if ran else None
        best = self.best()
        self._progress(
            done=done,
            total=budget,
            candidates=len(self.scored),
            candidates_tried=len(self.tried),
            best_score=best.validation_score if best else None,
            best_train_score=self.best_train,
            spend_usd=round(self.last_spend.cost_usd, 6),
            spend_tokens=self.last_spend.tokens,
            eta_s=round(eta, 1) if eta is not None else None,
            **extra,
        )
