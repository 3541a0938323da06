"""The ``[prompt_learning]`` TOML of a ``gepa`` / ``mipro`` job: every key, its type and default.

``OptimisationConfig.parse(document, source=…)`` checks a parsed TOML document (a plain dict)
against ``SCHEMA``: an unknown key is an error naming the key and the file, a wrong type names
the key, the value and what to give. ``SCHEMA`` is also where the documented defaults live
(``docs/prompt-optimisation.md`` lists the same table).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from attrs import frozen
from synth_ai.domain.optimisation.candidate import Candidate, PromptMessage
from synth_ai.domain.optimisation.errors import InvalidOptimisationConfig

REQUIRED = object()
ALGORITHMS = ("gepa", "mipro")


@frozen
class Key:
    name: str
    kind: str  # str | float | int | bool | seeds | messages | choice:a|b
    default: Any
    doc: str


SCHEMA: dict[str, tuple[Key, ...]] = {
    "prompt_learning": (
        Key("algorithm", "choice:gepa|mipro", REQUIRED, "which search runs: gepa or mipro"),
        Key("task_app_url", "str", REQUIRED, "base URL of the task app (its POST /rollout)"),
        Key(
            "task_app_api_key",
            "str",
            None,
            "sent as X-API-Key; default: ENVIRONMENT_API_KEY from the env file or environment",
        ),
        Key("task_app_id", "str", None, "informational: the task app's id, kept in metadata"),
        Key("env_name", "str", None, "env.env_name sent with every rollout"),
        Key("max_spend_usd", "float", 5.0, "hard cost limit of the job's session (USD)"),
        Key("max_tokens", "int", None, "hard token limit of the job's session; none by default"),
        Key("seed", "int", 0, "seed of the search's random choices (reproducible runs)"),
        Key("results_folder", "str", None, "informational; results go to the artifact catalog"),
    ),
    "prompt_learning.initial_prompt": (
        Key("messages", "messages", REQUIRED, "the starting prompt: [{role, pattern}, …]"),
        Key("id", "str", None, "informational"),
        Key("name", "str", None, "informational"),
        Key("wildcards", "table", {}, "informational: the {wildcards} the task app fills"),
    ),
    "prompt_learning.policy": (
        Key("model", "str", REQUIRED, "the policy model the task app calls"),
        Key(
            "inference_url",
            "str",
            None,
            "backend base URL as the task app reaches it (e.g. a tunnel); default: the backend",
        ),
        Key("provider", "str", None, "informational (the backend's upstream serves every model)"),
        Key("temperature", "float", 0.0, "policy sampling temperature"),
        Key("max_completion_tokens", "int", 512, "output cap of every policy call"),
    ),
    "prompt_learning.gepa": (
        Key("candidate_selection", "choice:pareto|current_best", "pareto", "parent choice"),
        Key("perfect_score", "float", 1.0, "a minibatch at this mean is not mutated further"),
        Key("use_merge", "bool", False, "also merge Pareto-front candidates (GEPA's merge)"),
    ),
    "prompt_learning.gepa.rollout": (
        Key("budget", "int", 100, "the most rollouts the whole job may run"),
        Key("max_concurrent", "int", 8, "rollouts in flight at once"),
        Key("minibatch_size", "int", 3, "train seeds per reflective minibatch"),
    ),
    "prompt_learning.gepa.evaluation": (
        Key("seeds", "seeds", REQUIRED, "train seeds (reflective minibatches)"),
        Key("validation_seeds", "seeds", REQUIRED, "validation seeds (candidate scores)"),
    ),
    "prompt_learning.gepa.proposer": (
        Key("model", "str", None, "reflection model; default: the policy model"),
        Key("temperature", "float", 0.7, "reflection sampling temperature"),
        Key("max_completion_tokens", "int", 2048, "output cap of every reflection call"),
    ),
    "prompt_learning.mipro": (
        Key("num_iterations", "int", 12, "(instruction, demos) trials of the TPE search"),
        Key("batch_size", "int", 0, "validation seeds per trial; 0: all of them"),
        Key("max_concurrent", "int", 8, "rollouts in flight at once"),
        Key("budget", "int", 200, "the most rollouts the whole job may run"),
        Key("seeds", "seeds", REQUIRED, "train seeds (bootstrapping demos, proposer examples)"),
        Key("validation_seeds", "seeds", REQUIRED, "validation seeds (trial scores)"),
        Key("meta_model", "str", None, "instruction proposer model; default: the policy model"),
        Key("meta_temperature", "float", 0.7, "proposer sampling temperature"),
        Key("meta_max_completion_tokens", "int", 1024, "output cap of every proposer call"),
        Key("num_instructions", "int", 4, "instruction proposals (plus the initial one)"),
        Key("max_demos", "int", 2, "demonstration pairs per demo set"),
        Key("num_demo_sets", "int", 4, "demo sets to search over (plus 'no demos')"),
        Key("few_shot_score_threshold", "float", 1.0, "a rollout this good becomes a demo"),
        Key("perfect_score", "float", 1.0, "a validated candidate this good ends the search"),
    ),
    "prompt_learning.mipro.tpe": (
        Key("n_startup_trials", "int", 3, "random trials before TPE models the scores"),
        Key("n_ei_candidates", "int", 24, "TPE's expected-improvement samples"),
    ),
}
# Public synth-ai spellings accepted as the same table.
ALIASES = {"prompt_learning.gepa.mutation": "prompt_learning.gepa.proposer"}
_POSITIVE = {
    "budget",
    "max_concurrent",
    "minibatch_size",
    "num_iterations",
    "max_completion_tokens",
}


def _bad(source: str, key: str, message: str) -> InvalidOptimisationConfig:
    return InvalidOptimisationConfig(f"{source}: {key}: {message}", param=key)


def _check(kind: str, key: str, value: Any, source: str) -> Any:
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise _bad(source, key, f"expected a non-empty string, got {value!r}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _bad(source, key, f"expected true or false, got {value!r}")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _bad(source, key, f"expected a whole number >= 0, got {value!r}")
        if key.rsplit(".", 1)[-1] in _POSITIVE and value < 1:
            raise _bad(source, key, f"expected at least 1, got {value!r}")
        return value
    if kind == "float":
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise _bad(source, key, f"expected a number >= 0, got {value!r}")
        return float(value)
    if kind == "table":
        if not isinstance(value, Mapping):
            raise _bad(source, key, f"expected a table, got {value!r}")
        return dict(value)
    if kind.startswith("choice:"):
        choices = kind.split(":", 1)[1].split("|")
        if value not in choices:
            raise _bad(source, key, f"expected one of {', '.join(choices)}, got {value!r}")
        return value
    if kind == "seeds":
        if isinstance(value, Mapping) and set(value) <= {"start", "stop"}:
            value = list(range(int(value.get("start", 0)), int(value["stop"])))
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in value)
        ):
            raise _bad(
                source,
                key,
                f"expected a non-empty list of integers (or {{start, stop}}), got {value!r}",
            )
        return tuple(value)
    if kind == "messages":
        if not isinstance(value, list) or not value:
            raise _bad(
                source, key, f"expected a non-empty list of {{role, pattern}}, got {value!r}"
            )
        out = []
        for i, item in enumerate(value):
            where = f"{key}[{i}]"
            if not isinstance(item, Mapping):
                raise _bad(source, where, f"expected a table {{role, pattern}}, got {item!r}")
            extra = set(item) - {"role", "pattern", "content", "order", "name"}
            if extra:
                raise _bad(source, f"{where}.{sorted(extra)[0]}", "unknown key")
            role = item.get("role")
            if role not in ("system", "user", "assistant", "developer"):
                raise _bad(source, f"{where}.role", f"expected system/user/assistant, got {role!r}")
            text = item.get("pattern", item.get("content"))
            if not isinstance(text, str):
                raise _bad(source, f"{where}.pattern", f"expected a string, got {text!r}")
            out.append(PromptMessage("system" if role == "developer" else role, text))
        return tuple(out)
    raise AssertionError(kind)


def read_section(document: Mapping[str, Any], path: str, source: str, into: dict[str, Any]) -> None:
    """Check one table of ``SCHEMA`` (and its sub-tables) and put its values into ``into``."""
    table = document
    for part in path.split("."):
        table = table.get(part, {}) if isinstance(table, Mapping) else {}
    if not isinstance(table, Mapping):
        raise _bad(source, path, f"expected a table, got {table!r}")
    keys = {k.name: k for k in SCHEMA[path]}
    children = {p.rpartition(".")[2] for p in (*SCHEMA, *ALIASES) if p.rpartition(".")[0] == path}
    for name in table:
        if name not in keys and name not in children:
            known = ", ".join(sorted([*keys, *children]))
            raise _bad(source, f"{path}.{name}", f"unknown key — known keys here: {known}")
    for key in SCHEMA[path]:
        full = f"{path}.{key.name}"
        if key.name in table:
            into[full] = _check(key.kind, full, table[key.name], source)
        elif key.default is REQUIRED:
            raise _bad(source, full, f"is required — {key.doc}")
        else:
            into[full] = key.default


@frozen
class OptimisationConfig:
    """A checked job config; ``values`` maps every dotted key of ``SCHEMA`` to its value."""

    algorithm: str
    values: Mapping[str, Any]
    source: str

    @classmethod
    def parse(cls, document: Mapping[str, Any], *, source: str = "config") -> OptimisationConfig:
        if not isinstance(document.get("prompt_learning"), Mapping):
            raise _bad(source, "prompt_learning", "the [prompt_learning] table is missing")
        document = _resolve_aliases(document, source)
        values: dict[str, Any] = {}
        read_section(document, "prompt_learning", source, values)
        algorithm = values["prompt_learning.algorithm"]
        for path in SCHEMA:
            if path == "prompt_learning":
                continue
            mine = path.startswith(f"prompt_learning.{algorithm}")
            shared = not path.startswith(tuple(f"prompt_learning.{a}" for a in ALGORITHMS))
            if mine or shared:
                read_section(document, path, source, values)
        other = next(a for a in ALGORITHMS if a != algorithm)
        if other in document["prompt_learning"]:
            raise _bad(
                source,
                f"prompt_learning.{other}",
                f"is for algorithm = {other!r}, but algorithm is {algorithm!r} — remove it",
            )
        return cls(algorithm, values, source)

    def __getitem__(self, key: str) -> Any:
        return self.values[key if key.startswith("prompt_learning") else f"prompt_learning.{key}"]

    def algo(self, key: str) -> Any:
        """A key of this algorithm's table: ``algo('rollout.budget')`` for gepa."""
        return self[f"{self.algorithm}.{key}"]

    # -- what the use cases need ----------------------------------------------------------------
    @property
    def initial_candidate(self) -> Candidate:
        return Candidate.from_messages(self["initial_prompt.messages"])

    @property
    def train_seeds(self) -> tuple[int, ...]:
        key = "gepa.evaluation.seeds" if self.algorithm == "gepa" else "mipro.seeds"
        return cast("tuple[int, ...]", self[key])

    @property
    def validation_seeds(self) -> tuple[int, ...]:
        if self.algorithm == "gepa":
            return cast("tuple[int, ...]", self["gepa.evaluation.validation_seeds"])
        return cast("tuple[int, ...]", self["mipro.validation_seeds"])

    @property
    def rollout_budget(self) -> int:
        key = "gepa.rollout.budget" if self.algorithm == "gepa" else "mipro.budget"
        return cast(int, self[key])

    @property
    def max_concurrent(self) -> int:
        if self.algorithm == "gepa":
            return cast(int, self["gepa.rollout.max_concurrent"])
        return cast(int, self["mipro.max_concurrent"])

    @property
    def proposer_model(self) -> str:
        if self.algorithm == "gepa":
            return cast(str, self["gepa.proposer.model"] or self["policy.model"])
        return cast(str, self["mipro.meta_model"] or self["policy.model"])


def _resolve_aliases(document: Mapping[str, Any], source: str) -> Mapping[str, Any]:
    pl = dict(document["prompt_learning"])
    gepa = pl.get("gepa")
    if isinstance(gepa, Mapping) and "mutation" in gepa:
        if "proposer" in gepa:
            raise _bad(
                source, "prompt_learning.gepa.mutation", "give proposer or mutation, not both"
            )
        gepa = {k: v for k, v in gepa.items() if k != "mutation"} | {"proposer": gepa["mutation"]}
        mutation = dict(gepa["proposer"]) if isinstance(gepa["proposer"], Mapping) else {}
        if "llm_model" in mutation:  # the public client's name for the reflection model
            mutation["model"] = mutation.pop("llm_model")
        mutation.pop("llm_provider", None)
        gepa["proposer"] = mutation
        pl["gepa"] = gepa
    return {**document, "prompt_learning": pl}
