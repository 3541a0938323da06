"""Admission control: long requests never take the threads short ones need.

Every open stream (SSE) holds one Waitress thread until it ends. ``AdmissionControl`` wraps
the WSGI app and keeps ``reserve`` threads for short requests (``/health``,
``/openapi.json``): past ``threads - reserve`` requests in flight, a new one is refused at
once with 503 and ``Retry-After``, and one key may hold at most ``per_key`` requests in flight
(429 and ``Retry-After``), so neither a burst of agents nor one greedy key can make
``/health`` queue behind streams. A request counts from the moment the app is called until
its response (a stream's last event) has been written or the client went away.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter

from synth_ai.auth import token_key_id

SHORT_PATHS = frozenset({"/health", "/openapi.json", "/metrics"})


def default_reserve(threads: int) -> int:
    return max(2, threads // 8)


class AdmissionControl:
    def __init__(self, app, *, threads: int, reserve: int | None = None, per_key: int = 64):
        self._app = app
        self.reserve = default_reserve(threads) if reserve is None else reserve
        self.capacity = max(1, threads - self.reserve)
        self.per_key = per_key
        self._lock = threading.Lock()
        self._active = 0
        self._by_key: Counter[str] = Counter()
        # Refusals by reason (code), read by /metrics; every key exists from the start, so a
        # scrape iterating it never races an insertion.
        self.refused: Counter[str] = Counter(server_busy=0, too_many_open_requests=0)
        self.streams = 0  # open responses of type text/event-stream

    @property
    def active(self) -> int:
        return self._active

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").rstrip("/") in SHORT_PATHS:
            return self._app(environ, start_response)
        key = _key_of(environ)
        with self._lock:
            if self._active >= self.capacity:
                self.refused["server_busy"] += 1
                return _refuse(
                    start_response,
                    "503 Service Unavailable",
                    f"the backend is serving {self._active} requests (its capacity: "
                    f"{self.capacity}) — retry shortly, or start it with more --threads",
                    "server_busy",
                )
            if key is not None and self._by_key[key] >= self.per_key:
                self.refused["too_many_open_requests"] += 1
                return _refuse(
                    start_response,
                    "429 Too Many Requests",
                    f"this API key has {self._by_key[key]} requests open (at most "
                    f"{self.per_key}) — wait for one to finish",
                    "too_many_open_requests",
                )
            self._active += 1
            if key is not None:
                self._by_key[key] += 1
        stream: list[bool] = []
        release = _Once(lambda: self._release(key, bool(stream)))

        def starting(status, headers, exc_info=None):
            if not stream and _is_stream(headers):
                stream.append(True)
                with self._lock:
                    self.streams += 1
            return start_response(status, headers, exc_info)

        try:
            result = self._app(environ, starting)
        except BaseException:
            release()
            raise
        return _Releasing(result, release)

    def _release(self, key: str | None, stream: bool = False) -> None:
        with self._lock:
            self._active -= 1
            if stream:
                self.streams -= 1
            if key is not None:
                self._by_key[key] -= 1
                if self._by_key[key] <= 0:
                    del self._by_key[key]


def _is_stream(headers) -> bool:
    return any(
        name.lower() == "content-type" and value.startswith("text/event-stream")
        for name, value in headers
    )


def _key_of(environ) -> str | None:
    """A digest of the presented key (never the key itself is kept). Every UI token of one key
    counts as one caller, so minting tokens does not multiply the cap."""
    raw = environ.get("HTTP_AUTHORIZATION") or environ.get("HTTP_X_API_KEY")
    if not raw:
        return None
    minted_by = token_key_id(raw.removeprefix("Bearer ").strip())
    if minted_by is not None:
        return f"ui:{minted_by}"
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()[:32]


def _refuse(start_response, status: str, message: str, code: str):
    kind = "rate_limit_error" if status.startswith("429") else "service_unavailable"
    body = json.dumps(
        {"error": {"message": message, "type": kind, "code": code, "param": None}}
    ).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Retry-After", "1"),
        ],
    )
    return [body]


class _Once:
    def __init__(self, action):
        self._action = action
        self._lock = threading.Lock()
        self._done = False

    def __call__(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        self._action()


class _Releasing:
    """The app's response iterable; closing it (as every WSGI server does) frees the slot."""

    def __init__(self, result, release: _Once):
        self._result = result
        self._release = release

    def __iter__(self):
        return iter(self._result)

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._release()


def admitted(app, settings, threads: int) -> AdmissionControl:
    """``app`` behind admission control sized for ``threads`` Waitress threads
    (``[server] reserved_threads``, ``[server] max_requests_per_key``)."""
    server = settings.section("server")
    reserve = server.get("reserved_threads")
    return AdmissionControl(
        app,
        threads=threads,
        reserve=None if reserve is None else int(reserve),
        per_key=int(server.get("max_requests_per_key", 64)),
    )
