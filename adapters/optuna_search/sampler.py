"""MIPRO's (instruction, demos) search on Optuna's ``TPESampler``, in memory."""

from __future__ import annotations

from collections.abc import Mapping


class TpeSearch:
    def __init__(
        self, space: Mapping[str, int], *, seed: int, n_startup_trials: int, n_ei_candidates: int
    ):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=n_startup_trials, n_ei_candidates=n_ei_candidates
        )
        self._study = optuna.create_study(direction="maximize", sampler=sampler)
        self._space = dict(space)
        self._pending: dict[int, object] = {}

    def ask(self) -> tuple[int, dict[str, int]]:
        trial = self._study.ask()
        choice = {
            name: trial.suggest_categorical(name, list(range(size)))
            for name, size in self._space.items()
        }
        self._pending[trial.number] = trial
        return trial.number, choice

    def tell(self, number: int, value: float) -> None:
        self._study.tell(self._pending.pop(number), value)


class TpeSearchFactory:
    """``SearchFactory``: a fresh seeded study per job (a re-run replays it from the journal)."""

    def new(
        self, space: Mapping[str, int], *, seed: int, n_startup_trials: int, n_ei_candidates: int
    ) -> TpeSearch:
        return TpeSearch(
            space, seed=seed, n_startup_trials=n_startup_trials, n_ei_candidates=n_ei_candidates
        )
