"""Added latency of the Responses bridge over calling the Chat Completions upstream directly.

    .venv/bin/python -m bench.bench_responses [--requests 300] [--warmup 30]

One run, one scripted upstream on 127.0.0.1, the real app on real Waitress. For each path it
sends N bounded sequential requests and prints one JSON line per measurement with absolute
p50/p99 in ms and the ms added over the direct baseline measured in the same run:

- ``non_streaming``: ``POST /chat/completions`` direct vs ``POST /api/v1/responses`` (store on);
- ``first_event``: time to the first SSE event (``response.created`` vs the first chat chunk);
- ``first_token``: time to the first text delta;
- each bridge path twice: opted out of sessions (``X-No-Session``) and inside a session, so
  the guard's own cost (SQLite reserve + settle) shows separately.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.scripted_upstream import Reply, ScriptedUpstream  # noqa: E402

KEY = "sk-synth-bench-key"
TEXT = "The quick brown fox jumps over the lazy dog. " * 4


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn, n: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        out.append(fn())
    return out


def post_json(http: httpx.Client, url: str, body: dict, headers: dict) -> float:
    start = time.perf_counter()
    resp = http.post(url, json=body, headers=headers)
    resp.raise_for_status()
    return (time.perf_counter() - start) * 1000


def first_line(http: httpx.Client, url: str, body: dict, headers: dict, marker: str) -> float:
    """ms until the first ``data:`` line containing ``marker``; the rest of the stream is drained."""
    start = time.perf_counter()
    elapsed = None
    with http.stream("POST", url, json=body, headers=headers) as resp:
        resp.raise_for_status()
        for line in resp.iter_lines():
            if elapsed is None and line.startswith("data:") and marker in line:
                elapsed = (time.perf_counter() - start) * 1000
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()

    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.container import create_container
    from synth_ai.http.app import build_app
    from synth_ai.settings.config import ApiKey, Settings

    upstream = ScriptedUpstream.start(threads=8)
    upstream.default = Reply(text=TEXT, usage={"prompt_tokens": 20, "completion_tokens": 45})
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), api_keys=[ApiKey(KEY)], upstream_url=upstream.base_url)
        container = create_container(settings)
        app, _ = build_app(container)
        server = BackgroundServer.start(app, "127.0.0.1", 0, threads=8)
        try:
            with httpx.Client(timeout=30) as http:
                auth = {"Authorization": f"Bearer {KEY}"}
                session = http.post(
                    f"{server.url}/api/v1/sessions",
                    headers=auth,
                    json={"limits": [{"metric_type": "tokens", "limit_value": 10**12}]},
                ).json()["session_id"]
                direct_url = f"{upstream.base_url}/chat/completions"
                bridge_url = f"{server.url}/api/v1/responses"
                chat = {"model": "bench", "messages": [{"role": "user", "content": "hello"}]}
                responses = {"model": "bench", "input": "hello"}
                variants = {
                    "no_session": {**auth, "X-No-Session": "true"},
                    "session": {**auth, "X-Session-ID": session},
                }
                n, w = args.requests, args.warmup
                direct = {
                    "non_streaming": timed(lambda: post_json(http, direct_url, chat, {}), n, w),
                    "first_event": timed(
                        lambda: first_line(
                            http, direct_url, {**chat, "stream": True}, {}, "chat.completion.chunk"
                        ),
                        n,
                        w,
                    ),
                    "first_token": timed(
                        lambda: first_line(
                            http, direct_url, {**chat, "stream": True}, {}, '"content": "The'
                        ),
                        n,
                        w,
                    ),
                }
                for variant, headers in variants.items():
                    bridge = {
                        "non_streaming": timed(
                            lambda h=headers: post_json(http, bridge_url, responses, h), n, w
                        ),
                        "first_event": timed(
                            lambda h=headers: first_line(
                                http,
                                bridge_url,
                                {**responses, "stream": True},
                                h,
                                "response.created",
                            ),
                            n,
                            w,
                        ),
                        "first_token": timed(
                            lambda h=headers: first_line(
                                http,
                                bridge_url,
                                {**responses, "stream": True},
                                h,
                                "output_text.delta",
                            ),
                            n,
                            w,
                        ),
                    }
                    for metric, values in bridge.items():
                        base = direct[metric]
                        print(
                            json.dumps(
                                {
                                    "bench": "responses_bridge",
                                    "metric": metric,
                                    "variant": variant,
                                    "requests": n,
                                    "direct_p50_ms": round(statistics.median(base), 3),
                                    "direct_p99_ms": round(percentile(base, 0.99), 3),
                                    "bridge_p50_ms": round(statistics.median(values), 3),
                                    "bridge_p99_ms": round(percentile(values, 0.99), 3),
                                    "added_p50_ms": round(
                                        statistics.median(values) - statistics.median(base), 3
                                    ),
                                    "added_p99_ms": round(
                                        percentile(values, 0.99) - percentile(base, 0.99), 3
                                    ),
                                    "ratio_p50": round(
                                        statistics.median(values) / statistics.median(base), 3
                                    ),
                                }
                            ),
                            flush=True,
                        )
        finally:
            server.close()
            container.shutdown_resources()
            upstream.close()


if __name__ == "__main__":
    main()
