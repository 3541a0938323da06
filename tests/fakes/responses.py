"""Fakes of the chat, response-store and metering ports (the Responses bridge and metered chat)."""

from __future__ import annotations


class InMemoryResponseStore:
    """``ResponseStore`` in a dict, keyed by (org, id)."""

    def __init__(self):
        self._records: dict[tuple[str, str], object] = {}

    def save(self, record) -> None:
        self._records[(record.org_id, record.id)] = record

    def get(self, org_id: str, response_id: str):
        return self._records.get((org_id, response_id))


class FakeChatStream:
    def __init__(self, chunks: list, error: Exception | None = None):
        self._chunks = chunks
        self._error = error
        self.closed = False

    def __iter__(self):
        for chunk in self._chunks:
            if self.closed:
                return
            yield chunk
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ScriptedChatProvider:
    """``ChatProvider`` answering from a queue of chunk lists (or raising a queued error).

    ``push(chunks, error=None)``: the next call streams ``chunks`` then raises ``error`` if given;
    ``push_error(exc)``: the next call fails before streaming. ``requests`` records bodies.
    """

    configured = True

    def __init__(self):
        self.requests: list[dict] = []
        self.streams: list[FakeChatStream] = []
        self._queue: list = []

    def push(self, chunks: list, error: Exception | None = None) -> None:
        self._queue.append((chunks, error))

    def push_error(self, error: Exception) -> None:
        self._queue.append(error)

    def _next(self, request: dict):
        self.requests.append(request)
        item = self._queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def stream(self, request: dict) -> FakeChatStream:
        chunks, error = self._next(request)
        stream = FakeChatStream(chunks, error)
        self.streams.append(stream)
        return stream

    def complete(self, request: dict) -> dict:
        chunks, error = self._next(request)
        if error is not None:
            raise error
        text, calls, finish, usage = "", {}, "stop", None
        for chunk in chunks:
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                text += delta.get("content") or ""
                for call in delta.get("tool_calls") or []:
                    entry = calls.setdefault(
                        call["index"],
                        {
                            "id": call.get("id"),
                            "type": "function",
                            "function": {"name": "", "arguments": ""},
                        },
                    )
                    fn = call.get("function") or {}
                    entry["function"]["name"] += fn.get("name") or ""
                    entry["function"]["arguments"] += fn.get("arguments") or ""
                finish = choice.get("finish_reason") or finish
        message = {"role": "assistant", "content": text or None}
        if calls:
            message["tool_calls"] = [calls[i] for i in sorted(calls)]
        return {
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": usage,
        }

    def models(self) -> list[dict]:
        return []


class _RecordedCharge:
    """``Charge`` of a ``RecordingMeter``: the first ``settle`` is recorded, later ones ignored."""

    session_id = None
    max_output_tokens = None

    def __init__(self, meter: RecordingMeter):
        self._meter = meter
        self.warnings: list[str] = []
        self.settled = False

    def progress(self, usage) -> None:
        self.used_so_far = usage

    def settle(self, usage) -> None:
        if not self.settled:
            self.settled = True
            self._meter.settled.append(usage)


class RecordingMeter:
    """``Meter`` that records reservations and settlements; refuses when ``refuse`` is set."""

    session_id = None

    def __init__(self, refuse: Exception | None = None):
        self.refuse = refuse
        self.warnings: list[str] = []
        self.reservations: list[dict] = []
        self.settled: list = []

    def reserve(
        self, *, model: str, prompt_tokens: int, max_output_tokens: int | None, choices: int = 1
    ):
        if self.refuse is not None:
            raise self.refuse
        self.reservations.append(
            {"model": model, "prompt_tokens": prompt_tokens, "max_output_tokens": max_output_tokens}
        )
        return _RecordedCharge(self)


def chat_chunks(
    text: str = "",
    *,
    reasoning: str = "",
    tool_calls: list | None = None,
    finish: str | None = None,
    usage: dict | None = None,
    size: int = 5,
) -> list[dict]:
    """Chat chunks as an upstream streams them: role, reasoning, text, tool calls, finish, usage."""

    def chunk(delta, finish_reason=None):
        return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}

    pieces = [chunk({"role": "assistant", "content": ""})]
    pieces += [
        chunk({"reasoning_content": reasoning[i : i + size]})
        for i in range(0, len(reasoning), size)
    ]
    pieces += [chunk({"content": text[i : i + size]}) for i in range(0, len(text), size)]
    for index, (name, arguments, *rest) in enumerate(tool_calls or []):
        call_id = rest[0] if rest else f"call_{index}"
        pieces.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call_id,
                            "type": "function",
                            "function": {"name": name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        pieces += [
            chunk(
                {
                    "tool_calls": [
                        {"index": index, "function": {"arguments": arguments[i : i + size]}}
                    ]
                }
            )
            for i in range(0, len(arguments), size)
        ]
    pieces.append(chunk({}, finish or ("tool_calls" if tool_calls else "stop")))
    if usage is not None:
        pieces.append({"choices": [], "usage": usage})
    return pieces


class RecordingMeterFactory:
    """``MeterFactory`` handing out one shared ``RecordingMeter``; ``refuse`` makes it say no."""

    def __init__(self):
        self.meter = RecordingMeter()
        self.calls: list[dict] = []

    def meter_for(self, principal, *, session_id, opt_out, session_hint=None):
        self.calls.append(
            {
                "org_id": principal.org_id,
                "session_id": session_id or session_hint,
                "opt_out": opt_out,
            }
        )
        return self.meter
