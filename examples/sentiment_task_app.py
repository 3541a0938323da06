"""A three-label sentiment task app: 30 short reviews (positive / negative / neutral), scored exactly.

Each rollout takes the review for its seed, sends the policy's prompt (a system message) and the
review (the user turn) to an OpenAI-compatible Chat Completions endpoint
(``policy.config.inference_url``), and scores 1.0 when the first word of the reply is the gold
label, else 0.0. The feedback says what the answer should have been, for an optimiser to learn from.

Seeds 0–9 are the train split, 10–29 the test split (``scripts/demo`` validates on 10–24).
Designed for small models: the packaged Gemma 3 270M answers nothing useful zero-shot and gains
from demonstrations (see docs/local-model.md).

Run it:  ENVIRONMENT_API_KEY=secret synth-ai deploy --runtime local --task-app examples/sentiment_task_app.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from synth_ai.domain.errors import UpstreamError, ValidationFailed
from synth_ai.domain.task_apps.model import Dataset, DatasetSplit, RolloutRequest, RolloutResponse
from synth_ai.task_app import TaskAppConfig

DATA = Path(__file__).with_name("data") / "sentiment.jsonl"
LABELS = ("positive", "negative", "neutral")
DEFAULT_PROMPT = (
    "Classify the sentiment of the review as positive, negative or neutral. Answer with one word."
)
_WORD = re.compile(r"[a-zA-Z]+")


def load_reviews(path: Path = DATA) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def first_word(text: str) -> str:
    match = _WORD.search(text or "")
    return match.group(0).lower() if match else ""


def chat_url(inference_url: str) -> str:
    base = inference_url.rstrip("/")
    return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


def feedback(predicted: str, gold: str) -> str:
    if predicted == gold:
        return f"Correct: the answer '{gold}' is the label."
    said = f"'{predicted}'" if predicted else "no label"
    return (
        f"Wrong: the reply began with {said}, but the sentiment is '{gold}'. "
        f"Reply with exactly one word out of {', '.join(LABELS)}."
    )


def build_config() -> TaskAppConfig:
    reviews = load_reviews()
    train = list(range(0, 10))
    test = list(range(10, len(reviews)))
    http = httpx.Client(timeout=120.0)  # shared by every rollout: pooled connections, thread-safe

    def review(seed: int) -> dict:
        return reviews[seed % len(reviews)]

    def rollout(request: RolloutRequest) -> RolloutResponse:
        config = request.policy.config
        inference_url = config.get("inference_url")
        if not inference_url:
            raise ValidationFailed(
                "policy.config.inference_url is required — the OpenAI-compatible base "
                "URL the policy calls (e.g. http://127.0.0.1:8000/v1)",
                param="$.policy.config.inference_url",
            )
        item = review(request.seed)
        prompt = config.get("prompt") or config.get("system_prompt") or DEFAULT_PROMPT
        body = {
            "model": config.get("model", "local"),
            "messages": [
                {"role": "system", "content": prompt},
                {"role": "user", "content": item["text"]},
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
                timeout=config.get("timeout", 120.0),
            )
            response.raise_for_status()
            text = response.json()["choices"][0]["message"].get("content") or ""
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
            raise UpstreamError(f"policy call to {chat_url(inference_url)} failed: {exc}") from exc
        predicted = first_word(text)
        reward = 1.0 if predicted == item["label"] else 0.0
        return RolloutResponse.single_step(
            request,
            obs={"review": item["text"], "review_id": item["id"]},
            action={"role": "assistant", "content": text},
            reward=reward,
            info={
                "predicted": predicted,
                "gold": item["label"],
                "correct": bool(reward),
                "feedback": feedback(predicted, item["label"]),
            },
            inference_url=inference_url,
        )

    return TaskAppConfig(
        app_id="sentiment",
        name="Sentiment (three labels, exact match)",
        version="1.0.0",
        description="Short reviews labelled positive, negative or neutral.",
        dataset=Dataset(
            "sentiment",
            [DatasetSplit("train", train), DatasetSplit("test", test)],
            default_split="train",
            description=f"{len(reviews)} reviews from {DATA.name}",
        ),
        rollout=rollout,
        rubric={
            "criteria": [
                {
                    "id": "exact_label",
                    "weight": 1.0,
                    "description": "The reply's first word is the gold label.",
                }
            ]
        },
        inference={"model": "local", "temperature": 0.0, "prompt": DEFAULT_PROMPT},
        task_info=lambda seed: {
            "task_metadata": {"review_id": review(seed)["id"], "review": review(seed)["text"]}
        },
    )
