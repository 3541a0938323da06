"""An arithmetic task app: 20 problems with gold answers, scored exactly.

Each rollout takes the problem for its seed, sends the policy's prompt and the question to an
OpenAI-compatible Chat Completions endpoint (``policy.config.inference_url``), reads the last
integer in the reply and scores 1.0 when it equals the gold answer, else 0.0.

Run it:  ENVIRONMENT_API_KEY=secret synth-ai deploy --runtime local --task-app examples/arithmetic_task_app.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from synth_ai.domain.errors import UpstreamError, ValidationFailed
from synth_ai.domain.task_apps.model import Dataset, DatasetSplit, RolloutRequest, RolloutResponse
from synth_ai.task_app import TaskAppConfig

DATA = Path(__file__).with_name("data") / "arithmetic.jsonl"
DEFAULT_PROMPT = "Solve the arithmetic problem. Reply with the final integer answer only."
_INTEGER = re.compile(r"-?\d+")


def load_problems(path: Path = DATA) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def extract_answer(text: str) -> int | None:
    found = _INTEGER.findall(text or "")
    return int(found[-1]) if found else None


def chat_url(inference_url: str) -> str:
    base = inference_url.rstrip("/")
    return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


def build_config() -> TaskAppConfig:
    problems = load_problems()
    train = list(range(0, 15))
    test = list(range(15, len(problems)))
    http = httpx.Client(timeout=60.0)  # shared by every rollout: pooled connections, thread-safe

    def problem(seed: int) -> dict:
        return problems[seed % len(problems)]

    def rollout(request: RolloutRequest) -> RolloutResponse:
        config = request.policy.config
        inference_url = config.get("inference_url")
        if not inference_url:
            raise ValidationFailed(
                "policy.config.inference_url is required — the OpenAI-compatible base "
                "URL the policy calls (e.g. http://127.0.0.1:8000/v1)",
                param="$.policy.config.inference_url",
            )
        item = problem(request.seed)
        prompt = config.get("prompt") or config.get("system_prompt") or DEFAULT_PROMPT
        body = {
            "model": config.get("model", "gpt-4.1-mini"),
            "messages": [
                {"role": "system", "content": prompt},
                {"role": "user", "content": item["question"]},
            ],
            "temperature": config.get("temperature", 0.0),
        }
        if config.get("max_tokens"):
            body["max_tokens"] = config["max_tokens"]
        headers = {"Authorization": f"Bearer {config['api_key']}"} if config.get("api_key") else {}
        try:
            response = http.post(
                chat_url(inference_url),
                json=body,
                headers=headers,
                timeout=config.get("timeout", 60.0),
            )
            response.raise_for_status()
            text = response.json()["choices"][0]["message"].get("content") or ""
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
            raise UpstreamError(f"policy call to {chat_url(inference_url)} failed: {exc}") from exc
        predicted = extract_answer(text)
        reward = 1.0 if predicted == item["answer"] else 0.0
        return RolloutResponse.single_step(
            request,
            obs={"question": item["question"], "problem_id": item["id"]},
            action={"role": "assistant", "content": text},
            reward=reward,
            info={"predicted": predicted, "gold": item["answer"], "correct": bool(reward)},
            inference_url=inference_url,
        )

    return TaskAppConfig(
        app_id="arithmetic",
        name="Arithmetic (exact match)",
        version="1.0.0",
        description="Integer arithmetic word problems scored against gold answers.",
        dataset=Dataset(
            "arithmetic",
            [DatasetSplit("train", train), DatasetSplit("test", test)],
            default_split="train",
            description=f"{len(problems)} problems from {DATA.name}",
        ),
        rollout=rollout,
        rubric={
            "criteria": [
                {
                    "id": "exact_answer",
                    "weight": 1.0,
                    "description": "The final integer equals the gold answer.",
                }
            ]
        },
        inference={"model": "gpt-4.1-mini", "temperature": 0.0, "prompt": DEFAULT_PROMPT},
        task_info=lambda seed: {
            "task_metadata": {
                "problem_id": problem(seed)["id"],
                "question": problem(seed)["question"],
            }
        },
    )
