"""``ChatProvider`` over an in-process llama.cpp model (the ``local`` upstream).

Any model name a client sends is answered by the one loaded GGUF; responses carry the name the
client used. Honoured: ``max_tokens`` / ``max_completion_tokens`` (the larger), ``temperature``,
``top_p``, ``stop``, ``seed``, ``frequency_penalty``, ``presence_penalty``, ``n`` (not with
``stream``). Tools are not offered to the model (a small base model cannot call them): it
answers in text. Usage comes from the model's own tokenizer.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from synth_ai.adapters.llama_cpp.engine import Generation, LoadedModel, Sampling, load_model
from synth_ai.adapters.llama_cpp.model_file import resolve_model_path
from synth_ai.domain.errors import InvalidInput

DEFAULT_MODEL_ID = "local"


class LlamaCppChatProvider:
    configured = True  # always has a model to answer with (a missing extra fails on first use)

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        context_size: int = 4096,
        threads: int | None = None,
        prompt_format: str = "auto",
        default_max_tokens: int = 512,
        model_id: str = DEFAULT_MODEL_ID,
        cache_dir: Path | None = None,
    ):
        self.model_path = model_path
        self.context_size = context_size
        self.threads = threads
        self.prompt_format = prompt_format
        self.default_max_tokens = default_max_tokens
        self.model_id = model_id
        self.cache_dir = cache_dir
        self.aliases: dict[str, str] = {}
        self._model: LoadedModel | None = None
        self._loading = threading.Lock()

    # -- the port -----------------------------------------------------------------------------
    def resolve(self, model: str) -> str:
        return model

    def model(self) -> LoadedModel:
        """The loaded model (loaded on first call, once per process for the same settings)."""
        if self._model is None:
            with self._loading:
                if self._model is None:
                    path = resolve_model_path(self.model_path, self.cache_dir)
                    self._model = load_model(
                        path,
                        context_size=self.context_size,
                        threads=self.threads,
                        prompt_format=self.prompt_format,
                    )
        return self._model

    def complete(self, request: dict) -> dict:
        sampling = self._sampling(request)
        choices = _positive_int(request, "n", 1)
        model = self.model()
        tokens = model.tokenize_chat(_messages(request))
        results = []
        for _ in range(choices):
            state = Generation(prompt_tokens=len(tokens))
            for _piece in model.generate(tokens, sampling, state):
                pass
            results.append(state)
        completion_tokens = sum(r.completion_tokens for r in results)
        return {
            "id": _completion_id(),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model") or self.model_id,
            "choices": [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": "".join(r.text)},
                    "finish_reason": r.finish_reason,
                }
                for i, r in enumerate(results)
            ],
            "usage": _usage(len(tokens), completion_tokens),
        }

    def stream(self, request: dict) -> LocalStream:
        if _positive_int(request, "n", 1) != 1:
            raise InvalidInput(
                "the local model streams one answer at a time: send n = 1", param="n"
            )
        sampling = self._sampling(request)
        model = self.model()
        tokens = model.tokenize_chat(_messages(request))
        return LocalStream(model, tokens, sampling, request.get("model") or self.model_id)

    def models(self) -> list[dict]:
        return [{"id": self.model_id, "object": "model", "owned_by": "synth-ai", "created": 0}]

    def close(self) -> None:
        """Nothing to release: the model stays loaded for the process's other users."""

    # -- request → sampling ---------------------------------------------------------------------
    def _sampling(self, request: dict) -> Sampling:
        caps = [
            _positive_int(request, key, None) for key in ("max_completion_tokens", "max_tokens")
        ]
        caps = [c for c in caps if c is not None]
        stop = request.get("stop")
        if stop is None:
            stops: tuple[str, ...] = ()
        elif isinstance(stop, str):
            stops = (stop,)
        elif isinstance(stop, list) and all(isinstance(s, str) for s in stop):
            stops = tuple(stop)
        else:
            raise InvalidInput(
                f"'stop' must be a string or a list of strings, got {stop!r}", param="stop"
            )
        seed = request.get("seed")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise InvalidInput(f"'seed' must be an integer, got {seed!r}", param="seed")
        return Sampling(
            max_tokens=max(caps) if caps else self.default_max_tokens,
            temperature=_number(request, "temperature", 1.0, 0.0, 2.0),
            top_p=_number(request, "top_p", 1.0, 0.0, 1.0),
            frequency_penalty=_number(request, "frequency_penalty", 0.0, -2.0, 2.0),
            presence_penalty=_number(request, "presence_penalty", 0.0, -2.0, 2.0),
            stop=stops,
            seed=seed,
        )


class LocalStream:
    """Generates lazily while iterated, after the requests queued before it.

    Closing it early (the client went away) stops the generation at its next token, so the
    model moves on to the next request at once.
    """

    def __init__(self, model: LoadedModel, tokens: list[int], sampling: Sampling, name: str):
        self._model = model
        self._tokens = tokens
        self._sampling = sampling
        self._name = name
        self._chunks: Iterator[dict] | None = None

    def __iter__(self) -> Iterator[dict]:
        if self._chunks is None:
            self._chunks = self._generate()
        return self._chunks

    def _generate(self) -> Iterator[dict]:
        cid, created = _completion_id(), int(time.time())

        def chunk(delta: dict, finish: str | None = None) -> dict:
            return {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": self._name,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        state = Generation(prompt_tokens=len(self._tokens))
        pieces = self._model.generate(self._tokens, self._sampling, state)
        try:
            yield chunk({"role": "assistant", "content": ""})
            for piece in pieces:
                yield chunk({"content": piece})
        finally:
            pieces.close()  # stops the generation when the client went away
        yield chunk({}, state.finish_reason or "stop")
        yield {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": self._name,
            "choices": [],
            "usage": _usage(state.prompt_tokens, state.completion_tokens),
        }

    def close(self) -> None:
        if self._chunks is not None:
            self._chunks.close()  # runs the generator's finally: the generation stops

    def __enter__(self) -> LocalStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _messages(request: dict) -> list[dict]:
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidInput("'messages' must be a non-empty list", param="messages")
    return messages


def _completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


def _usage(prompt: int, completion: int) -> dict:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _positive_int(request: dict, key: str, default):
    value = request.get(key)
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput(f"'{key}' must be a positive integer, got {value!r}", param=key)
    return value


def _number(request: dict, key: str, default: float, low: float, high: float) -> float:
    value = request.get(key)
    if value is None:
        return default
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(
            f"'{key}' must be a number from {low} to {high}, got {value!r}", param=key
        )
    return float(value)
