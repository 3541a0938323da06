"""``synth-ai serve`` on a redis-server of its own, and a Redis outage in the middle of a
chat completion: frozen (SIGSTOP, a hung Redis) or stopped, then back on the same port."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from tests.support.redis_server import RedisServer
from tests.support.scripted_upstream import Reply, ScriptedUpstream
from tests.support.serve_process import ServeProcess

KEY = "sk-synth-redis-outage-test"
CHAT = "/api/v1/chat/completions"
ANSWER = "an answer the upstream already produced"
DEFERRED = "waits in"  # the log line of a settle kept in the outbox
REPLAYED = ("from the outbox after the store came back", "nothing charged twice")


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class RedisOutage:
    def __init__(self, folder: Path, upstream: ScriptedUpstream):
        self.upstream = upstream
        self.redis = RedisServer.start(folder / "redis")
        home = folder / "home"
        home.mkdir()
        (home / "config.toml").write_text(
            f'[store]\nbackend = "redis"\nredis_url = "{self.redis.url}"\n'
        )
        try:
            self.server = ServeProcess(home, upstream.base_url, KEY, threads=8)
        except Exception:
            self.redis.stop()
            raise
        self.auth = {"Authorization": f"Bearer {KEY}"}

    def close(self) -> None:
        self.server.stop()
        self.redis.stop()

    def log(self) -> str:
        return self.server.log.read_text()

    def start_session(self, limit_usd: float) -> str:
        answer = httpx.post(
            self.server.url + "/api/v1/sessions",
            json={"limits": [{"metric_type": "cost_usd", "limit_value": limit_usd}]},
            headers=self.auth,
            timeout=30,
        )
        return answer.json()["session_id"]

    def ask_during_outage(self, session_id: str, outage: str) -> httpx.Response:
        """A chat completion; once it has reserved and reached the upstream, Redis goes away
        (``paused`` or ``stopped``) while the upstream still works on the answer."""
        self.upstream.push(Reply(text=ANSWER, delay=2.0))
        answers: list[httpx.Response] = []

        def ask() -> None:
            answers.append(
                httpx.post(
                    self.server.url + CHAT,
                    json={"model": "synth-small", "messages": [{"role": "user", "content": "go"}]},
                    headers={**self.auth, "X-Synth-Session-ID": session_id},
                    timeout=60,
                )
            )

        client = threading.Thread(target=ask)
        client.start()
        wait_for(lambda: self.upstream.requests, "the upstream to get the request")
        self.redis.pause() if outage == "paused" else self.redis.stop()
        client.join(timeout=60)
        assert answers, "the client got no answer"
        return answers[0]

    def restore(self, outage: str) -> None:
        self.redis.resume() if outage == "paused" else self.redis.restart(down_for=0)
        wait_for(lambda: any(line in self.log() for line in REPLAYED), "the settle replayed")

    def session(self, session_id: str) -> dict:
        return self._get(f"/api/v1/sessions/{session_id}")

    def charges(self, session_id: str) -> list[dict]:
        return self._get(f"/api/v1/usage?session_id={session_id}")["data"]

    def _get(self, path: str):
        answer = httpx.get(self.server.url + path, headers=self.auth, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()
