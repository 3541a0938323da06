"""Use cases of prompt optimisation: check a job's config, run a GEPA or MIPRO job.

``OptimisePrompt.run(ctx)`` is what the ``gepa`` and ``mipro`` job runners and
``synth-ai optimize`` call. The job gets its own session with the config's hard limits, and
every model call (policy through the interceptor, reflection and proposals through the chat
route) is metered in it. It ends with an outcome, never an uncaught limit error:
``completed`` (reason ``budget_exhausted`` when the rollout budget or the spend limit stopped
it), or ``failed`` (reason ``canceled``, or what went wrong). Either way the ``pl_`` job in the
artifact catalog holds every validated candidate and the best one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from synth_ai.domain.errors import SynthError
from synth_ai.domain.optimisation import results
from synth_ai.domain.optimisation.config import OptimisationConfig
from synth_ai.domain.optimisation.errors import BudgetExhausted, JobCancelled
from synth_ai.domain.optimisation.evaluation import Evaluator, Journal, PolicySettings
from synth_ai.domain.optimisation.run import OptimisationRun
from synth_ai.ports.artifacts import ArtifactCatalog
from synth_ai.ports.clock import Clock, IdGenerator
from synth_ai.ports.jobs import JobContext, JobOutcome
from synth_ai.ports.optimisation import (
    JobSessions,
    MeteredChat,
    PromptSearch,
    TaskAppRollouts,
    Trials,
)

_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")


def check_config(config: Mapping[str, Any], config_path: Path | str) -> OptimisationConfig:
    """The checked config, or ``InvalidOptimisationConfig`` naming the key and the file."""
    return OptimisationConfig.parse(config, source=str(config_path))


class OptimisePrompt:
    def __init__(
        self,
        *,
        engines: Mapping[str, PromptSearch],
        rollouts_for: Callable[[OptimisationConfig, Mapping[str, str]], TaskAppRollouts],
        trials: Trials,
        sessions: JobSessions,
        chat: MeteredChat,
        catalog: ArtifactCatalog,
        clock: Clock,
        ids: IdGenerator,
    ):
        self.engines = engines
        self.rollouts_for = rollouts_for
        self.trials = trials
        self.sessions = sessions
        self.chat = chat
        self.catalog = catalog
        self.clock = clock
        self.ids = ids

    def run(self, ctx: JobContext) -> JobOutcome:
        config = check_config(ctx.config, ctx.config_path)
        journal = Journal.from_state(dict(ctx.load_checkpoint() or {}))
        artifact_id = journal.extra.setdefault("artifact_id", self.ids.new_id("pl"))
        # A fresh job (new artifact) gets a fresh session; a re-run keeps spending in its own.
        session_id = journal.extra.setdefault(
            "session_id", f"opt_{_UNSAFE.sub('_', ctx.job_id)[:80]}_{artifact_id[-8:]}"
        )
        if ctx.attempt > 1 or journal.rollouts:
            ctx.log(
                f"resuming attempt {ctx.attempt}: {journal.rollouts_total} rollouts and "
                f"{len(journal.answers)} proposer answers replay from the checkpoint"
            )
        try:
            self.chat.check()
            self.sessions.open(
                session_id=session_id,
                max_spend_usd=config["max_spend_usd"],
                max_tokens=config["max_tokens"],
            )
            run = self._new_run(ctx, config, journal, artifact_id, session_id)
        except SynthError as exc:
            return JobOutcome("failed", exc.message, {"artifact_id": None})
        ctx.save_checkpoint(journal.to_state())
        try:
            failure = self._search(run, config, ctx)
        finally:
            run.evaluator.close()
        run.report(phase="finished")
        try:
            results.record(
                self.catalog,
                run,
                job_id=artifact_id,
                algorithm=config.algorithm,
                now=self.clock.now(),
                job_ref=ctx.job_id,
                attempt=ctx.attempt,
            )
        except SynthError as exc:
            failure = failure or f"could not record {artifact_id}: {exc.message}"
        ctx.save_checkpoint(journal.to_state())
        summary = {**self._summary(run, artifact_id), "session_id": session_id}
        if failure:
            return JobOutcome("failed", failure, summary)
        if run.stop_reason == "canceled":
            return JobOutcome("failed", "canceled", summary)
        if run.best() is None:
            return JobOutcome("failed", "budget_exhausted before the baseline was scored", summary)
        return JobOutcome("completed", run.stop_reason, summary)

    def _new_run(
        self,
        ctx: JobContext,
        config: OptimisationConfig,
        journal: Journal,
        artifact_id: str,
        session_id: str,
    ) -> OptimisationRun:
        evaluator = Evaluator(
            rollouts=self.rollouts_for(config, ctx.env),
            trials=self.trials,
            session_id=session_id,
            policy=PolicySettings(
                config["policy.model"],
                config["policy.temperature"],
                config["policy.max_completion_tokens"],
                config["env_name"],
            ),
            journal=journal,
            budget=config.rollout_budget,
            max_concurrent=config.max_concurrent,
            run_prefix=artifact_id,
            cancelled=ctx.cancelled,
        )
        return OptimisationRun(
            config=config,
            evaluator=evaluator,
            chat=self.chat,
            session_id=session_id,
            spend=lambda: self.sessions.spend(session_id),
            clock=self.clock,
            progress=ctx.progress,
            log=ctx.log,
            checkpoint=lambda: ctx.save_checkpoint(journal.to_state()),
        )

    def _search(
        self, run: OptimisationRun, config: OptimisationConfig, ctx: JobContext
    ) -> str | None:
        """Score the baseline, then let the algorithm search; what went wrong, if anything."""
        try:
            initial = config.initial_candidate
            run.validate(initial, "baseline")
            errors = [
                state.get("error")
                for seed in config.validation_seeds
                if (state := run.journal.rollouts.get(f"{initial.key()}:{seed}"))
            ]
            if errors and all(errors):
                return f"every baseline rollout failed — {errors[0]}"
            self.engines[config.algorithm].search(run)
        except (BudgetExhausted, JobCancelled) as stop:
            ctx.log(f"stopped: {stop.message}")
        except SynthError as exc:
            return exc.message
        return None

    @staticmethod
    def _summary(run: OptimisationRun, artifact_id: str) -> dict[str, Any]:
        best, baseline = run.best(), run.baseline
        return {
            "artifact_id": artifact_id,
            "best_score": best.validation_score if best else None,
            "baseline_score": baseline.validation_score if baseline else None,
            "best_snapshot_id": results.snapshot_id(best) if best else None,
            "candidates": len(run.scored),
            "rollouts": run.journal.rollouts_total,
            "rollouts_this_attempt": run.journal.ran_now,
            "proposer_calls": len(run.journal.answers),
            "spend_usd": run.last_spend.cost_usd,
            "learning_curve": [[p.rollouts, p.best_validation_score] for p in run.curve],
        }
