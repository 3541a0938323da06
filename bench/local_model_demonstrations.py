"""Does the small local model gain from demonstrations rather than instructions? (a measurement)

    .venv/bin/python -m bench.local_model_demonstrations [--threads N] [--model-path X.gguf]

Scores the ``local`` provider (in-process, greedy, 4 output tokens) on ten short reviews, two
tasks: two labels (positive / negative) and three (positive / negative / neutral). Each prompt
variant is one JSON line: zero-shot with no instruction, zero-shot with an instruction (as a
system message, and inline), then 2 and 4 labelled demonstrations given as user/assistant turns
(with the instruction). An answer counts when its first word is the label.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BINARY = [
    ("An absolute delight from start to finish, I loved every minute.", "positive"),
    ("The plot was dull and the acting was even worse.", "negative"),
    ("Best purchase I have made all year, it works perfectly.", "positive"),
    ("It broke after two days and support never answered.", "negative"),
    ("A warm, funny film that left the whole family smiling.", "positive"),
    ("Terrible food, rude staff, and we waited an hour.", "negative"),
    ("The hotel was spotless and the view was stunning.", "positive"),
    ("I regret buying this; it is a waste of money.", "negative"),
    ("Fantastic battery life and a gorgeous screen.", "positive"),
    ("The sequel is boring, long and completely pointless.", "negative"),
]
BINARY_DEMOS = [
    ("The service was quick and the staff were lovely.", "positive"),
    ("The package arrived damaged and late.", "negative"),
    ("Great sound quality for the price.", "positive"),
    ("The app crashes every time I open it.", "negative"),
]
TERNARY = [
    ("An absolute delight from start to finish, I loved every minute.", "positive"),
    ("The plot was dull and the acting was even worse.", "negative"),
    ("The package arrived on Tuesday in a brown box.", "neutral"),
    ("It broke after two days and support never answered.", "negative"),
    ("A warm, funny film that left the whole family smiling.", "positive"),
    ("The manual is twenty pages long and printed in English.", "neutral"),
    ("Terrible food, rude staff, and we waited an hour.", "negative"),
    ("The hotel was spotless and the view was stunning.", "positive"),
    ("The store opens at nine and closes at six.", "neutral"),
    ("I regret buying this; it is a waste of money.", "negative"),
]
TERNARY_DEMOS = [
    ("The service was quick and the staff were lovely.", "positive"),
    ("The package arrived damaged and late.", "negative"),
    ("The phone comes in black and in white.", "neutral"),
    ("Great sound quality for the price.", "positive"),
]


def instruction(labels: list[str]) -> str:
    return (
        "Classify the sentiment of the review as " + " or ".join(labels) + ". Answer with one word."
    )


def variants(labels: list[str], demos: list[tuple[str, str]]):
    """name -> function(review) -> messages"""
    rule = instruction(labels)

    def shots(n: int):
        turns = []
        for text, label in demos[:n]:
            turns += [{"role": "user", "content": text}, {"role": "assistant", "content": label}]
        return turns

    return {
        "zero_shot_bare": lambda review: [{"role": "user", "content": review}],
        "zero_shot_system_instruction": lambda review: [
            {"role": "system", "content": rule},
            {"role": "user", "content": review},
        ],
        "zero_shot_inline_instruction": lambda review: [
            {"role": "user", "content": f"{rule}\nReview: {review}\nSentiment:"}
        ],
        "two_demos": lambda review: [
            {"role": "system", "content": rule},
            *shots(2),
            {"role": "user", "content": review},
        ],
        "four_demos": lambda review: [
            {"role": "system", "content": rule},
            *shots(4),
            {"role": "user", "content": review},
        ],
        "four_demos_no_instruction": lambda review: [
            *shots(4),
            {"role": "user", "content": review},
        ],
    }


def first_word(text: str) -> str:
    match = re.search(r"[a-zA-Z]+", text)
    return match.group(0).lower() if match else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--model-path", default=None)
    parser.add_argument(
        "--prompt-format",
        default="gemma",
        help="gemma (turn markers as text, the default for the packaged model) or gemma-control",
    )
    args = parser.parse_args()

    from synth_ai.adapters.llama_cpp import LlamaCppChatProvider

    provider = LlamaCppChatProvider(
        args.model_path, context_size=2048, threads=args.threads, prompt_format=args.prompt_format
    )
    provider.model()
    tasks = {
        "sentiment_2_labels": (BINARY, ["positive", "negative"], BINARY_DEMOS),
        "sentiment_3_labels": (TERNARY, ["positive", "negative", "neutral"], TERNARY_DEMOS),
    }
    for task, (examples, labels, demos) in tasks.items():
        for name, build in variants(labels, demos).items():
            start = time.perf_counter()
            answers = []
            for review, _ in examples:
                result = provider.complete(
                    {"model": "local", "messages": build(review), "max_tokens": 4, "temperature": 0}
                )
                answers.append(result["choices"][0]["message"]["content"])
            correct = sum(
                first_word(a) == label for a, (_, label) in zip(answers, examples, strict=True)
            )
            print(
                json.dumps(
                    {
                        "bench": "local_model_demonstrations",
                        "task": task,
                        "prompt_format": args.prompt_format,
                        "variant": name,
                        "correct": correct,
                        "examples": len(examples),
                        "seconds": round(time.perf_counter() - start, 2),
                        "answers": answers,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
