"""Tokens per second of the ``local`` provider through ``synth-ai serve`` vs llama-cpp-python direct.

    .venv/bin/python -m bench.bench_local_model [--rounds 3] [--max-tokens 64] [--threads N]

One run: a real ``synth-ai serve`` subprocess with ``[upstream] provider = "local"`` on the
packaged Gemma 3 270M (or ``--model-path``), and the same GGUF loaded in this process with
``llama_cpp.Llama`` and the same context size and threads. Each round sends one prompt
(a demonstrated story, then a topic of its own: both sides reuse the cached prefix alike)
greedily three ways, one after the
other so they never share the cores: ``Llama.create_completion`` on the same prompt tokens with
the same stops, from a worker thread (the baseline), ``POST /chat/completions`` through serve, and the same streamed. Prints
one JSON line per variant with the median tokens/s and the ratio to the baseline (goal ≥ 0.9).
Tokens are the usage each side reports (the model's own tokenizer); time is wall time per
request, prompt evaluation included.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.serve_process import free_port  # noqa: E402

KEY = "sk-synth-bench-local-key"
TOPICS = ["a lighthouse keeper", "a clockmaker", "a river pilot", "a baker", "a glacier", "a kite"]


STORY = (
    "Once upon a time a cat lived by the sea. Every morning she walked along the harbour, "
    "greeted the fishermen, and waited for the boats to come home. One day a storm came, and "
    "the boats were late. The cat climbed the lighthouse and watched until the last one was safe."
)


def messages_for(round_: int) -> list[dict]:
    """One demonstrated long story, then a new topic: the base model answers at length."""
    topic = TOPICS[round_ % len(TOPICS)]
    return [
        {"role": "user", "content": "Write a long story about a cat."},
        {"role": "assistant", "content": STORY},
        {"role": "user", "content": f"Write a long story about {topic} (story {round_})."},
    ]


def start_serve(home: Path, model_path: str, threads: int, context: int):
    import subprocess

    (home / "config.toml").write_text(
        "[upstream]\n"
        'provider = "local"\n'
        f"model_path = {json.dumps(model_path)}\n"
        f"threads = {threads}\n"
        f"context_size = {context}\n",
        encoding="utf-8",
    )
    port = free_port()
    env = {**os.environ, "SYNTH_AI_HOME": str(home), "SYNTH_API_KEY": KEY}
    log = open(home / "serve.log", "w")  # noqa: SIM115 - closed with the process below
    process = subprocess.Popen(
        [sys.executable, "-m", "synth_ai", "serve", "--port", str(port), "--threads", "8"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"synth-ai serve exited: {(home / 'serve.log').read_text()}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return process, log, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("synth-ai serve did not become healthy in 120 s")


def served(http: httpx.Client, url: str, body: dict) -> tuple[int, float]:
    start = time.perf_counter()
    response = http.post(url, json=body)
    response.raise_for_status()
    elapsed = time.perf_counter() - start
    return response.json()["usage"]["completion_tokens"], elapsed


def served_stream(http: httpx.Client, url: str, body: dict) -> tuple[int, float]:
    start = time.perf_counter()
    tokens = 0
    body = {**body, "stream": True, "stream_options": {"include_usage": True}}
    with http.stream("POST", url, json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("data: {") and '"usage"' in line:
                usage = json.loads(line[6:]).get("usage")
                if usage:
                    tokens = usage["completion_tokens"]
    return tokens, time.perf_counter() - start


def direct(llama, messages: list[dict], max_tokens: int) -> tuple[int, float]:
    """``Llama.create_completion`` on the very tokens serve feeds the model (Gemma's turns as
    text) with the same end-of-turn stops, greedy, from a thread that is not the main thread:
    llama.cpp's spinning OpenMP workers are many times slower called from the main thread here
    (see docs/local-model.md), and the baseline should be llama.cpp at its best."""
    from synth_ai.adapters.llama_cpp.engine import TURN_MARKERS
    from synth_ai.adapters.llama_cpp.turns import gemma_prompt

    prompt = llama.tokenize(gemma_prompt(messages).encode(), add_bos=True, special=False)
    result: dict = {}

    def run() -> None:

        start = time.perf_counter()
        out = llama.create_completion(
            prompt, max_tokens=max_tokens, temperature=0, stop=list(TURN_MARKERS)
        )
        result["measured"] = (out["usage"]["completion_tokens"], time.perf_counter() - start)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    return result["measured"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--context", type=int, default=2048)
    parser.add_argument("--model-path", default=None)
    args = parser.parse_args()

    from synth_ai.adapters.llama_cpp import resolve_model_path
    from synth_ai.adapters.llama_cpp.engine import import_llama_cpp

    llama_cpp = import_llama_cpp()  # the same OpenMP wait policy as serve (inherited)

    model_path = str(resolve_model_path(args.model_path))
    llama = llama_cpp.Llama(
        model_path=model_path,
        n_ctx=args.context,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        verbose=False,
    )
    with tempfile.TemporaryDirectory() as tmp:
        process, log, url = start_serve(Path(tmp), model_path, args.threads, args.context)
        rates: dict[str, list[float]] = {"direct": [], "serve": [], "serve_stream": []}
        tokens: dict[str, list[int]] = {k: [] for k in rates}
        try:
            headers = {"Authorization": f"Bearer {KEY}"}
            with httpx.Client(timeout=600, headers=headers) as http:
                chat_url = f"{url}/api/synth-research/v1/chat/completions"
                warm = {"model": "local", "messages": messages_for(99), "max_tokens": 4}
                served(http, chat_url, warm)  # loads the model in serve
                direct(llama, messages_for(99), 4)
                for round_ in range(args.rounds):
                    messages = messages_for(round_)
                    body = {
                        "model": "local",
                        "messages": messages,
                        "max_tokens": args.max_tokens,
                        "temperature": 0,
                    }
                    measured = {
                        "direct": direct(llama, messages, args.max_tokens),
                        "serve": served(http, chat_url, body),
                    }
                    # A new prompt for the streamed pass, so it cannot reuse the KV cache.
                    stream_body = {**body, "messages": messages_for(round_ + 50)}
                    measured["serve_stream"] = served_stream(http, chat_url, stream_body)
                    for name, (count, seconds) in measured.items():
                        tokens[name].append(count)
                        rates[name].append(count / seconds)
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()
    base = statistics.median(rates["direct"])
    for name, values in rates.items():
        print(
            json.dumps(
                {
                    "bench": "local_model",
                    "variant": name,
                    "rounds": args.rounds,
                    "threads": args.threads,
                    "completion_tokens": tokens[name],
                    "tokens_per_s_p50": round(statistics.median(values), 2),
                    "tokens_per_s": [round(v, 2) for v in values],
                    "ratio_to_direct": round(statistics.median(values) / base, 3),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
