"""A scripted world for prompt optimisation: a task app, a policy model, a reflection model.

The task: "What is A + B?". The grader wants ``ANSWER: <the number in words>`` and scores 0.5
for each of its two rules (the prefix, the words), telling which rule was broken in its
feedback (``Rule: …``). The scripted policy model answers the sum correctly but follows a rule
only when its prompt carries it: the prefix when the system prompt contains ``ANSWER:`` or a
demonstration answer starts with it, the words when the system prompt says ``in words``. So the
baseline prompt scores 0 and only a search that puts the feedback into the prompt reaches 1.

The scripted reflection model (GEPA's reflection prompt) appends the first rule it is shown that
the current instruction lacks (one lesson per reflection, so GEPA needs two accepted
mutations); the scripted proposer (MIPRO's meta prompt, ``proposal k of n``) writes proposal 1
with the first rule, 2 with the second, 3 with both, 4 with neither — so MIPRO must search
(instruction, demos) to find the ceiling.
"""

from __future__ import annotations

import re
import threading
import time

import httpx
from synth_ai.domain.task_apps.model import Dataset, RolloutRequest, RolloutResponse
from synth_ai.task_app.config import TaskAppConfig

from tests.support.scripted_upstream import Reply, ScriptedUpstream

RULE_PREFIX = "Rule: start the answer with 'ANSWER: '."
RULE_WORDS = "Rule: write the number in words."
WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen".split()
TASK_KEY = "task-app-test-key"
BASELINE_INSTRUCTION = "You are a helpful assistant. Answer the question."
_QUESTION = re.compile(r"What is (\d+) \+ (\d+)\?")
_RULE = re.compile(r"Rule: [^.]*\.")


def operands(seed: int) -> tuple[int, int]:
    return seed % 6 + 1, (seed * 5) % 7


def question(seed: int) -> str:
    a, b = operands(seed)
    return f"What is {a} + {b}?"


def grade(seed: int, answer: str) -> tuple[float, str]:
    a, b = operands(seed)
    score, missing = 0.0, []
    body = answer
    if answer.startswith("ANSWER: "):
        score += 0.5
        body = answer[len("ANSWER: ") :]
    else:
        missing.append(RULE_PREFIX)
    if body.strip() == WORDS[a + b]:
        score += 0.5
    else:
        missing.append(RULE_WORDS)
    return score, " ".join(missing) or "Correct."


def policy_answer(messages: list[dict]) -> str:
    system = " ".join(m["content"] for m in messages if m.get("role") == "system")
    demo_prefix = any(
        m.get("role") == "assistant" and str(m.get("content", "")).startswith("ANSWER:")
        for m in messages
    )
    user = next(m["content"] for m in reversed(messages) if m.get("role") == "user")
    found = _QUESTION.search(user)
    if not found:
        return "I do not understand."
    total = int(found.group(1)) + int(found.group(2))
    text = WORDS[total] if "in words" in system.lower() else str(total)
    if "ANSWER:" in system or demo_prefix:
        text = "ANSWER: " + text
    return text


def reflect(prompt: str) -> str:
    fenced = re.search(r"```\n?(.*?)```", prompt, re.S)
    current = fenced.group(1).strip() if fenced else ""
    missing = [r for r in sorted(set(_RULE.findall(prompt))) if r not in current]
    new = " ".join([current, *missing[:1]])  # one lesson per reflection
    return f"```\n{new}\n```"


def propose(prompt: str) -> str:
    number = int(re.search(r"Write proposal (\d+) of", prompt).group(1))
    rules = sorted(set(_RULE.findall(prompt)))
    fenced = re.search(r"```\n?(.*?)```", prompt, re.S)
    current = fenced.group(1).strip() if fenced else ""
    chosen = {1: rules[:1], 2: rules[1:2], 3: rules, 0: []}[number % 4]
    return "<instruction>" + " ".join([current, *chosen]) + "</instruction>"


class ScriptedModel:
    """The responder of a ``ScriptedUpstream``: policy, reflection and proposer in one."""

    def __init__(self, delay: float = 0.0, delays: dict[str, float] | None = None):
        self.delay = delay
        self.delays = dict(delays or {})  # per requested model name, e.g. {"slow": 0.05}
        self.calls = {"policy": 0, "reflection": 0, "proposer": 0}
        self._lock = threading.Lock()

    def __call__(self, body: dict) -> Reply:
        messages = body.get("messages") or []
        last = str(messages[-1].get("content", "")) if messages else ""
        if "Provide the new instructions within" in last:
            kind, text = "reflection", reflect(last)
        elif "Write proposal" in last:
            kind, text = "proposer", propose(last)
        else:
            kind, text = "policy", policy_answer(messages)
        with self._lock:
            self.calls[kind] += 1
        return Reply(text=text, delay=self.delays.get(body.get("model"), self.delay))


def start_model(
    delay: float = 0.0, delays: dict[str, float] | None = None
) -> tuple[ScriptedUpstream, ScriptedModel]:
    upstream = ScriptedUpstream.start(threads=64)
    model = ScriptedModel(delay, delays)
    upstream.responder = model
    return upstream, model


def arithmetic_task_app(
    seeds: int = 40, *, task_delay: float = 0.0, reads_prompt: str | None = None
) -> TaskAppConfig:
    """The task app: one policy call per rollout, through the ``inference_url`` it is given.

    ``reads_prompt="string"``: its system message is ``policy.config.prompt`` (the task-app
    convention of ``examples/arithmetic_task_app.py``); ``"messages"``: it sends
    ``policy.config.prompt_messages`` (the whole candidate, ``{question}`` filled in).
    """
    http = httpx.Client(timeout=60)

    def rollout(request: RolloutRequest) -> RolloutResponse:
        seed = request.seed
        config = request.policy.config
        url = str(config["inference_url"]).rstrip("/") + "/chat/completions"
        messages = [
            {"role": "system", "content": "You are a terse calculator."},
            {"role": "user", "content": question(seed)},
        ]
        if reads_prompt == "string":
            messages[0] = {"role": "system", "content": config["prompt"]}
        elif reads_prompt == "messages":
            messages = [
                {**m, "content": m["content"].replace("{question}", question(seed))}
                for m in config["prompt_messages"]
            ]
        if task_delay:
            time.sleep(task_delay)
        response = http.post(
            url,
            json={
                "model": config.get("model", "scripted"),
                "messages": messages,
                "max_completion_tokens": config.get("max_completion_tokens", 64),
            },
        )
        if response.status_code >= 400:
            answer, score, feedback = "", 0.0, f"the policy call failed: {response.status_code}"
        else:
            answer = response.json()["choices"][0]["message"]["content"] or ""
            score, feedback = grade(seed, answer)
        return RolloutResponse.single_step(
            request,
            obs={"question": question(seed)},
            action={"answer": answer},
            reward=score,
            info={"feedback": feedback},
        )

    return TaskAppConfig(
        app_id="arithmetic",
        name="Arithmetic in words",
        dataset=Dataset.from_seeds("arithmetic", list(range(seeds))),
        rollout=rollout,
    )


def prompt_learning(
    algorithm: str, task_app_url: str, *, model: str = "scripted", **sections
) -> dict:
    """A ``[prompt_learning]`` document for the scripted world (sections override defaults)."""
    document = {
        "algorithm": algorithm,
        "task_app_url": task_app_url,
        "task_app_api_key": TASK_KEY,
        "max_spend_usd": 5.0,
        "initial_prompt": {
            "messages": [
                {"role": "system", "pattern": BASELINE_INSTRUCTION},
                {"role": "user", "pattern": "{question}"},
            ]
        },
        "policy": {"model": model, "temperature": 0.0, "max_completion_tokens": 64},
    }
    if algorithm == "gepa":
        document["gepa"] = {
            "rollout": {"budget": 60, "max_concurrent": 4, "minibatch_size": 3},
            "evaluation": {"seeds": list(range(0, 6)), "validation_seeds": list(range(20, 26))},
        }
    else:
        document["mipro"] = {
            "num_iterations": 10,
            "budget": 120,
            "max_concurrent": 4,
            "seeds": list(range(0, 4)),
            "validation_seeds": list(range(20, 26)),
            "num_instructions": 4,
            "max_demos": 2,
            "num_demo_sets": 3,
            "few_shot_score_threshold": 1.0,
        }
    for key, value in sections.items():
        target = document
        parts = key.split("__")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return {"prompt_learning": document}
