"""A scripted OpenAI-compatible Chat Completions server on 127.0.0.1, for tests and benches.

    upstream = ScriptedUpstream.start()
    upstream.push(Reply(text="hello"), Reply(tool_calls=[ToolCall("exec_command", {"cmd": "ls"})]))
    ... point a client at upstream.base_url (ends in /v1) ...
    upstream.requests   # every JSON body received, in order
    upstream.close()

Each request takes the next queued ``Reply``; with the queue empty it uses ``default`` (a
short text). A ``responder(body) -> Reply`` callable overrides both (for load tests). It speaks
both non-streaming and SSE streaming (with ``stream_options.include_usage``), reasoning deltas
(``reasoning_content``), streamed tool-call arguments, error statuses, a cut stream (no
``[DONE]``), a dropped connection, an injected raw frame (an error or malformed chunk) and
delays.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable

from attrs import define, field
from synth_ai.adapters.waitress_host import BackgroundServer


@define
class ToolCall:
    name: str
    arguments: dict | str = field(factory=dict)
    id: str | None = None

    def arguments_text(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@define
class Reply:
    text: str = ""
    tool_calls: list[ToolCall] = field(factory=list)
    reasoning: str = ""
    reasoning_key: str = "reasoning_content"  # or "reasoning" (vLLM >= 0.10, Ollama, OpenRouter)
    usage: dict | None = None  # None: computed from the request and the reply
    include_usage: bool = True  # False: behave like an upstream that reports no usage
    status: int = 200  # >= 400: answer with an error body
    error: dict | None = None
    cut_after_chunks: int | None = None  # stream: stop after N chunks, without [DONE]
    drop_after_chunks: int | None = None  # stream: break the connection after N chunks
    # stream: after ``inject_after`` chunks send this raw SSE frame instead of the rest
    # (an error chunk, a malformed one), then end without [DONE]
    inject: bytes | None = None
    inject_after: int = 1
    stall_after: int | None = None  # stream: after N chunks, go quiet for ``stall`` seconds
    stall: float = 0.0
    delay: float = 0.0  # seconds before answering
    chunk_delay: float = 0.0  # seconds between streamed chunks
    finish_reason: str | None = None


def approx_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _prompt_tokens(body: dict) -> int:
    total = 0
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        total += approx_tokens(str(content or "")) + 4
    return total


class ScriptedUpstream:
    def __init__(self):
        self.replies: deque[Reply] = deque()
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.default = Reply(text="ok")
        self.responder: Callable[[dict], Reply] | None = None
        self.server: BackgroundServer | None = None
        self.open_streams = 0
        self._lock = threading.Lock()
        self._seq = 0

    @classmethod
    def start(cls, threads: int = 32) -> ScriptedUpstream:
        upstream = cls()
        upstream.server = BackgroundServer.start(
            upstream, "127.0.0.1", 0, threads=threads, name="scripted-upstream"
        )
        return upstream

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/v1"

    def push(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def close(self) -> None:
        if self.server:
            self.server.close()

    # -- WSGI ----------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ["REQUEST_METHOD"] == "GET" and path.endswith("/models"):
            return self._json(
                start_response,
                200,
                {"object": "list", "data": [{"id": "scripted", "object": "model"}]},
            )
        if not path.endswith("/chat/completions"):
            return self._json(start_response, 404, {"error": {"message": f"no route {path}"}})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        with self._lock:
            self.requests.append(body)
            self.headers.append({k: v for k, v in environ.items() if k.startswith("HTTP_")})
            self._seq += 1
            seq = self._seq
            if self.responder is not None:
                reply = self.responder(body)
            else:
                reply = self.replies.popleft() if self.replies else self.default
        if reply.delay:
            time.sleep(reply.delay)
        if reply.status >= 400:
            error = reply.error or {
                "message": f"scripted error {reply.status}",
                "type": "server_error",
            }
            return self._json(start_response, reply.status, {"error": error})
        usage = reply.usage or {
            "prompt_tokens": _prompt_tokens(body),
            "completion_tokens": approx_tokens(reply.text + reply.reasoning)
            + sum(approx_tokens(c.arguments_text()) for c in reply.tool_calls),
        }
        usage = {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]}
        completion_id = f"chatcmpl-scripted-{seq}"
        if body.get("stream"):
            start_response(
                "200 OK", [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]
            )
            return self._stream(body, reply, usage, completion_id)
        message: dict = {"role": "assistant", "content": reply.text or None}
        if reply.reasoning:
            message[reply.reasoning_key] = reply.reasoning
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id or f"call_{seq}_{i}",
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments_text()},
                }
                for i, call in enumerate(reply.tool_calls)
            ]
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        data = {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        }
        if reply.include_usage:
            data["usage"] = usage
        return self._json(start_response, 200, data)

    def _stream(self, body: dict, reply: Reply, usage: dict, completion_id: str):
        def chunk(delta: dict | None = None, finish: str | None = None, **extra) -> bytes:
            data = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body.get("model"),
                "choices": []
                if delta is None
                else [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            data.update(extra)
            return f"data: {json.dumps(data)}\n\n".encode()

        pieces: list[bytes] = [chunk({"role": "assistant", "content": ""})]
        for part in _split(reply.reasoning):
            pieces.append(chunk({reply.reasoning_key: part}))
        for part in _split(reply.text):
            pieces.append(chunk({"content": part}))
        for index, call in enumerate(reply.tool_calls):
            call_id = call.id or f"call_{completion_id[-4:]}_{index}"
            pieces.append(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": index,
                                "id": call_id,
                                "type": "function",
                                "function": {"name": call.name, "arguments": ""},
                            }
                        ]
                    }
                )
            )
            for part in _split(call.arguments_text()):
                pieces.append(
                    chunk({"tool_calls": [{"index": index, "function": {"arguments": part}}]})
                )
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        pieces.append(chunk({}, finish))
        include_usage = (body.get("stream_options") or {}).get(
            "include_usage"
        ) and reply.include_usage
        if include_usage:
            pieces.append(chunk(None, usage=usage))
        pieces.append(b"data: [DONE]\n\n")

        def generate():
            with self._lock:
                self.open_streams += 1
            try:
                for n, piece in enumerate(pieces):
                    if reply.cut_after_chunks is not None and n >= reply.cut_after_chunks:
                        return
                    if reply.drop_after_chunks is not None and n >= reply.drop_after_chunks:
                        raise ConnectionAbortedError("scripted: the upstream connection drops")
                    if n == reply.stall_after:
                        time.sleep(reply.stall)
                    if reply.inject is not None and n >= reply.inject_after:
                        yield reply.inject
                        return
                    if reply.chunk_delay and n:
                        time.sleep(reply.chunk_delay)
                    yield piece
            finally:
                with self._lock:
                    self.open_streams -= 1

        return generate()

    @staticmethod
    def _json(start_response, status: int, data: dict):
        payload = json.dumps(data).encode()
        start_response(
            f"{status} {'OK' if status < 400 else 'Error'}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]


def _split(text: str, size: int = 8) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] if text else []
