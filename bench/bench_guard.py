"""The session guard's added latency per chat request, against the same route unguarded.

Two apps on real Waitress share one scripted upstream on 127.0.0.1: one with the real session
guard (reserve + settle on the configured store), one whose meter factory meters nothing.
Requests alternate between them so both see the same machine load. Prints one JSON line per
measurement; the ratio is the number to watch, never the absolute seconds.

    .venv/bin/python -m bench.bench_guard [--requests 300] [--store sqlite|redis|postgres]
        [--redis-url URL] [--postgres-url URL] [--postgres-rtt-ms 1.0]

``--store sqlite,redis,postgres`` measures each store in turn in one run. With PostgreSQL a
third sample, one durable commit (an UPDATE, ``synchronous_commit`` on) on the same server, is
taken in the same loop: a guarded request must make two (the reservation before the upstream
call, the settlement after), so ``added / durable commit`` near 2 means the guard costs little
more than the WAL flushes its guarantee needs. ``--postgres-rtt-ms`` puts a proxy that adds
that round-trip time in front of PostgreSQL (a server across a network, as replicas on several
machines have): then the number of round trips per request shows.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from dependency_injector import providers
from synth_ai.adapters.waitress_host import BackgroundServer
from synth_ai.container import create_container
from synth_ai.http.app import create_app
from synth_ai.settings.config import ApiKey, Settings

from tests.support.redis_keys import drop_prefix
from tests.support.scripted_upstream import Reply, ScriptedUpstream

KEY = "sk-synth-bench-key"


class _FreeCharge:
    session_id = None
    max_output_tokens = None  # nothing reserved, so nothing to hold the upstream to

    def __init__(self):
        self.warnings: list[str] = []

    def progress(self, usage) -> None:
        return None

    def settle(self, usage) -> None:
        return None


class _NoMeter:
    session_id = None
    warnings: list[str] = []

    def reserve(self, *, model, prompt_tokens, max_output_tokens, choices=1):
        return _FreeCharge()


class NoGuard:
    """The baseline: a meter factory that reserves and records nothing."""

    def meter_for(self, principal, *, session_id, opt_out, session_hint=None):
        return _NoMeter()


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


STORES = ("sqlite", "redis", "postgres")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--store", default="sqlite", help="one or more of sqlite,redis,postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--postgres-rtt-ms",
        type=float,
        default=0.0,
        help="round-trip time a proxy adds in front of PostgreSQL (default 0: direct)",
    )
    args = parser.parse_args()
    stores = args.store.split(",")
    if not stores or any(store not in STORES for store in stores):
        parser.error(f"--store takes {', '.join(STORES)} (comma-separated), got {args.store!r}")
    for store in stores:
        measure(store, args)


def measure(store: str, args: argparse.Namespace) -> None:
    upstream = ScriptedUpstream.start()
    upstream.responder = lambda body: Reply(
        text="ok", usage={"prompt_tokens": 10, "completion_tokens": 5}
    )
    home = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    prefix = f"synth-bench:{uuid.uuid4().hex[:8]}:"
    schema = f"synth_bench_{uuid.uuid4().hex[:8]}"  # with the postgres store: dropped after
    postgres_url, direct_url, proxy = args.postgres_url, args.postgres_url, None
    if store == "postgres":
        from tests.support.postgres import schema_url

        postgres_url = direct_url = schema_url(args.postgres_url, schema)
        if args.postgres_rtt_ms > 0:
            postgres_url, proxy = _behind_proxy(postgres_url, args.postgres_rtt_ms)
    settings = Settings(
        home=home,
        api_keys=[ApiKey(KEY, "org_bench", "user_bench")],
        upstream_url=upstream.base_url,
        store=store,
        redis_url=args.redis_url,
        postgres_url=postgres_url,
        document={"store": {"redis_prefix": prefix}},
    )
    guarded_container = create_container(settings)
    bare_container = create_container(settings)
    bare_container.meter_factory.override(providers.Object(NoGuard()))
    servers = {
        "guarded": BackgroundServer.start(create_app(guarded_container), threads=8),
        "unguarded": BackgroundServer.start(create_app(bare_container), threads=8),
    }
    body = {
        "model": "synth-small",
        "messages": [{"role": "user", "content": "hello"}],
        "max_tokens": 16,
    }
    samples: dict[str, list[float]] = {name: [] for name in servers}
    probe = _CommitProbe(direct_url) if store == "postgres" else None  # never through the proxy
    try:
        clients = {
            name: httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=30
            )
            for name, server in servers.items()
        }
        for client in clients.values():  # warm up connections, schema, the current session
            for _ in range(10):
                client.post("/api/synth-research/chat/completions", json=body).raise_for_status()
        for _ in range(args.requests):
            for name, client in clients.items():
                started = time.perf_counter()
                client.post("/api/synth-research/chat/completions", json=body).raise_for_status()
                samples[name].append(time.perf_counter() - started)
            if probe is not None:
                samples.setdefault("durable_commit", []).append(probe.commit())
    finally:
        if probe is not None:
            probe.close()
        if proxy is not None:
            proxy.close()
        for server in servers.values():
            server.close()
        upstream.close()
        guarded_container.shutdown_resources()
        bare_container.shutdown_resources()
        shutil.rmtree(home, ignore_errors=True)
        if store == "redis":
            drop_prefix(args.redis_url, prefix)
        if store == "postgres":
            from tests.support.postgres import drop_schema

            drop_schema(args.postgres_url, schema)
    p50 = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    for name, values in samples.items():
        if name == "durable_commit":
            continue
        print(
            json.dumps(
                {
                    "bench": "session_guard",
                    "store": store,
                    **({"rtt_ms": args.postgres_rtt_ms} if proxy else {}),
                    "variant": name,
                    "requests": len(values),
                    "p50_ms": round(p50[name], 3),
                    "p95_ms": round(percentile(values, 0.95) * 1000, 3),
                }
            )
        )
    print(
        json.dumps(
            {
                "bench": "session_guard",
                "store": store,
                **({"rtt_ms": args.postgres_rtt_ms} if proxy else {}),
                "measure": "guarded/unguarded p50 ratio",
                "ratio": round(p50["guarded"] / p50["unguarded"], 3),
                "added_p50_ms": round(p50["guarded"] - p50["unguarded"], 3),
            }
        )
    )
    if "durable_commit" in p50:
        print(
            json.dumps(
                {
                    "bench": "session_guard",
                    "store": store,
                    "measure": "guard added p50 / durable commit p50",
                    "durable_commit_p50_ms": round(p50["durable_commit"], 3),
                    "ratio": round((p50["guarded"] - p50["unguarded"]) / p50["durable_commit"], 3),
                }
            )
        )


def _behind_proxy(url: str, rtt_ms: float):
    """``url`` rewritten to reach its server through a ``LatencyProxy`` (and the proxy)."""
    from urllib.parse import urlsplit, urlunsplit

    from bench.latency_proxy import LatencyProxy

    parts = urlsplit(url)
    proxy = LatencyProxy((parts.hostname or "127.0.0.1", parts.port or 5432), rtt_ms)
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{proxy.port}")), proxy


class _CommitProbe:
    """One durable commit on the bench's schema: the floor a guarded request pays twice."""

    def __init__(self, url: str):
        import psycopg

        self._conn = psycopg.connect(url, autocommit=True)
        self._conn.execute("CREATE TABLE bench_commit (id INTEGER PRIMARY KEY, n INTEGER)")
        self._conn.execute("INSERT INTO bench_commit VALUES (1, 0)")

    def commit(self) -> float:
        started = time.perf_counter()
        with self._conn.transaction():
            self._conn.execute("UPDATE bench_commit SET n = n + 1 WHERE id = 1")
        return time.perf_counter() - started

    def close(self) -> None:
        self._conn.close()


if __name__ == "__main__":
    main()
