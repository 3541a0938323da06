"""Overspend of a session under many concurrent requests, for prompts in any script and an
upstream that honours the output cap or ignores it.

One ``synth-ai serve`` app on real Waitress, one scripted upstream on 127.0.0.1 that counts
tokens like a byte-level BPE tokenizer would (ASCII about 4 characters a token, a CJK character
1.2 tokens, an emoji 3: not our estimate, on purpose) and answers in the prompt's script. The
*honest* upstream stops at the ``max_completion_tokens`` it was sent (``finish_reason: length``);
the *cap-ignoring* one writes four times that. Each measurement starts a session with a $0.05
hard limit and fires ``--requests`` chat completions at once (every other one streamed, each
prompt ~3,000 characters); then it reads the session back. Prints one JSON line per
measurement: ``overspend_usd`` = settled - limit (0 when at or under; also as a ratio of the
limit) and ``overrun_tokens_recorded`` = what the upstream reported beyond the reservations
(recorded on the ledger entries as ``overrun``, never charged: with a byte-bounded prompt and
the stream cut at the cap there should be none).

    .venv/bin/python -m bench.bench_overspend [--requests 200] [--store sqlite|redis|postgres]
        [--scripts latin,cjk,emoji] [--upstreams honest,ignores_cap] [--redis-url URL]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from synth_ai.adapters.waitress_host import BackgroundServer
from synth_ai.container import create_container
from synth_ai.http.app import create_app
from synth_ai.settings.config import ApiKey, Settings

from tests.support.redis_keys import drop_prefix
from tests.support.scripted_upstream import Reply, ScriptedUpstream

KEY = "sk-synth-bench-overspend"
LIMIT_USD = 0.05
PROMPT_CHARS = 3000
SCRIPTS = {
    "latin": "The quick brown fox jumps over the lazy dog while budgets hold. ",
    "cjk": "机器学习模型的预算永远不会超支，每一次请求都有上限。",
    "emoji": "🙂🚀🔥🎉💸📈🧮🔒",
}
UPSTREAMS = ("honest", "ignores_cap")


# Tenths of a token per character, by the length of its UTF-8 encoding.
_TENTHS = {1: 2.5, 2: 5, 3: 12, 4: 30}


def upstream_tokens(text: str) -> int:
    """How the scripted upstream counts: its own byte-level-BPE-like rule, not ours."""
    return math.ceil(sum(_TENTHS[len(c.encode("utf-8"))] for c in text) / 10)


def _answer(script: str, tokens: int) -> str:
    """Text in ``script`` that the upstream counts as at most ``tokens`` tokens."""
    unit, out, tenths = SCRIPTS[script], [], 0.0
    while True:
        char = unit[len(out) % len(unit)]
        step = _TENTHS[len(char.encode("utf-8"))]
        if math.ceil((tenths + step) / 10) > tokens:
            return "".join(out)
        tenths += step
        out.append(char)


def _responder(script: str, behaviour: str):
    cache: dict[int, str] = {}

    def respond(body: dict) -> Reply:
        cap = body.get("max_completion_tokens") or body.get("max_tokens") or 4096
        produce = cap if behaviour == "honest" else cap * 4
        if produce not in cache:
            cache[produce] = _answer(script, produce)
        text = cache[produce]
        prompt = sum(
            upstream_tokens(str(m.get("content") or "")) + 4 for m in body.get("messages") or []
        )
        return Reply(
            text=text,
            usage={"prompt_tokens": prompt, "completion_tokens": upstream_tokens(text)},
            finish_reason="length",
        )

    return respond


def measure(
    *,
    script: str,
    behaviour: str,
    store: str,
    requests: int,
    redis_url: str = "redis://127.0.0.1:6379/0",
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/test",
) -> dict:
    upstream = ScriptedUpstream.start(threads=64)
    upstream.responder = _responder(script, behaviour)
    home = Path(tempfile.mkdtemp(prefix="synth-bench-overspend-"))
    prefix = f"synth-bench:{uuid.uuid4().hex[:8]}:"
    schema = f"synth_bench_{uuid.uuid4().hex[:8]}"  # with the postgres store: dropped after
    if store == "postgres":
        from tests.support.postgres import schema_url

        postgres_url_in_use = schema_url(postgres_url, schema)
    settings = Settings(
        home=home,
        api_keys=[ApiKey(KEY, "org_bench", "user_bench")],
        upstream_url=upstream.base_url,
        store=store,
        redis_url=redis_url,
        postgres_url=postgres_url_in_use if store == "postgres" else postgres_url,
        model_aliases={"synth-small": "gpt-4.1-mini"},
        document={"store": {"redis_prefix": prefix}},
    )
    container = create_container(settings)
    server = BackgroundServer.start(create_app(container), threads=64)
    unit = SCRIPTS[script]
    prompt = (unit * (PROMPT_CHARS // len(unit) + 1))[:PROMPT_CHARS]
    statuses: list[int] = []
    lock = threading.Lock()
    try:
        with httpx.Client(
            base_url=server.url,
            headers={"Authorization": f"Bearer {KEY}"},
            timeout=120,
            # No keep-alive: Waitress accepts 100 connections at most, and idle pooled ones
            # would keep the rest waiting in its backlog until its 120 s channel timeout.
            limits=httpx.Limits(max_connections=requests, max_keepalive_connections=0),
        ) as client:
            session = client.post(
                "/api/v1/sessions",
                json={"limits": [{"metric_type": "cost_usd", "limit_value": LIMIT_USD}]},
            ).json()

            def one(n: int) -> None:
                body = {
                    "model": "synth-small",
                    "messages": [{"role": "user", "content": f"{n} {prompt}"}],
                    "stream": n % 2 == 0,
                }
                response = client.post("/api/synth-research/chat/completions", json=body)
                response.read()
                with lock:
                    statuses.append(response.status_code)

            with ThreadPoolExecutor(requests) as pool:
                list(pool.map(one, range(requests)))
            final = client.get(f"/api/v1/sessions/{session['session_id']}").json()
            ledger = client.get(
                "/api/v1/usage", params={"session_id": session["session_id"], "limit": 1000}
            ).json()["data"]
    finally:
        server.close()
        upstream.close()
        container.shutdown_resources()
        shutil.rmtree(home, ignore_errors=True)
        if store == "redis":
            drop_prefix(redis_url, prefix)
        if store == "postgres":
            from tests.support.postgres import drop_schema

            drop_schema(postgres_url, schema)
    settled = final["current_usage"]["cost_usd"]
    overrun = sum(sum((e["metadata"].get("overrun") or {}).values()) for e in ledger)
    return {
        "bench": "overspend",
        "store": store,
        "script": script,
        "upstream": behaviour,
        "requests": requests,
        "granted": statuses.count(200),
        "refused_429": statuses.count(429),
        "other_status": len(statuses) - statuses.count(200) - statuses.count(429),
        "limit_usd": LIMIT_USD,
        "settled_usd": round(settled, 8),
        "overspend_usd": round(max(0.0, settled - LIMIT_USD), 8),
        "reserved_after_usd": final["reserved_usage"]["cost_usd"],
        "status_after": final["status"],
        "overrun_tokens_recorded": overrun,
        "overspend_ratio_of_limit": round(max(0.0, settled - LIMIT_USD) / LIMIT_USD, 6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--store", choices=["sqlite", "redis", "postgres"], default="sqlite")
    parser.add_argument("--scripts", default=",".join(SCRIPTS))
    parser.add_argument("--upstreams", default=",".join(UPSTREAMS))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    for script in args.scripts.split(","):
        for behaviour in args.upstreams.split(","):
            result = measure(
                script=script,
                behaviour=behaviour,
                store=args.store,
                requests=args.requests,
                redis_url=args.redis_url,
                postgres_url=args.postgres_url,
            )
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
