"""``ChatProvider`` over httpx: one pooled client, SSE parsing, upstream errors mapped by kind."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
from synth_ai.domain.chat.assemble import completion_chunks
from synth_ai.domain.chat.errors import NO_UPSTREAM, UpstreamNotConfigured
from synth_ai.domain.errors import (
    ContextLengthExceeded,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejectedRequest,
    UpstreamTimeout,
    UpstreamUnavailable,
)

_CONTEXT_MARKERS = (
    "context_length",
    "context length",
    "maximum context",
    "too many tokens",
    "prompt is too long",
    "context window",
)


class OpenAIChatProvider:
    configured = True

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        aliases: dict[str, str] | None = None,
        timeout: float = 120.0,
        connect_timeout: float = 10.0,
        max_connections: int = 256,
        max_tokens_field: str = "max_completion_tokens",
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.aliases = dict(aliases or {})
        # Upstreams read the output cap from different fields: OpenAI's reasoning models
        # refuse max_tokens, while Ollama, llama-cpp-python and older llama.cpp ignore
        # max_completion_tokens. The cap is always sent under the one field this upstream
        # honours, so a budget reservation's cap is never silently dropped.
        self.max_tokens_field = max_tokens_field
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=64),
            transport=transport,
        )

    def resolve(self, model: str) -> str:
        return self.aliases.get(model, model)

    def _prepare(self, request: dict, *, stream: bool) -> dict:
        body = dict(request)
        body["model"] = self.resolve(str(body.get("model") or ""))
        caps = [
            body.pop(k) for k in ("max_completion_tokens", "max_tokens") if body.get(k) is not None
        ]
        if caps:
            body[self.max_tokens_field] = max(caps)  # the larger is what was reserved for
        if stream:
            body["stream"] = True
            options = dict(body.get("stream_options") or {})
            options["include_usage"] = True
            body["stream_options"] = options
        else:
            body.pop("stream", None)
            body.pop("stream_options", None)
        return body

    def complete(self, request: dict) -> dict:
        body = self._prepare(request, stream=False)
        with self._errors():
            response = self._http.post("/chat/completions", json=body)
        if response.status_code >= 400:
            raise self._http_error(response.status_code, response.text)
        try:
            data = response.json()
        except ValueError as exc:
            raise UpstreamError(f"upstream {self.base_url} answered with non-JSON content") from exc
        if isinstance(data, dict) and "error" in data and "choices" not in data:
            raise self._http_error(502, json.dumps(data))
        data["model"] = request.get("model", data.get("model"))
        return data

    def stream(self, request: dict) -> _SseStream | _WholeCompletion:
        body = self._prepare(request, stream=True)
        with self._errors():
            req = self._http.build_request(
                "POST", "/chat/completions", json=body, headers={"Accept": "text/event-stream"}
            )
            response = self._http.send(req, stream=True)
        if response.status_code >= 400:
            try:
                text = response.read().decode("utf-8", "replace")
            finally:
                response.close()
            raise self._http_error(response.status_code, text)
        if response.headers.get("content-type", "").startswith("application/json"):
            # An upstream that ignores ``stream: true`` answers with the whole completion.
            try:
                data = json.loads(response.read())
            except ValueError as exc:
                raise UpstreamError(
                    f"upstream {self.base_url} answered with non-JSON content"
                ) from exc
            finally:
                response.close()
            if not isinstance(data, dict) or "choices" not in data:
                raise self._http_error(502, json.dumps(data))
            data["model"] = request.get("model", data.get("model"))
            return _WholeCompletion(data)
        return _SseStream(response, self, request.get("model"))

    def models(self) -> list[dict]:
        return [
            {
                "id": alias,
                "object": "model",
                "owned_by": "synth-ai",
                "created": 0,
                "upstream_model": target,
            }
            for alias, target in sorted(self.aliases.items())
        ]

    def close(self) -> None:
        self._http.close()

    # -- errors --------------------------------------------------------------------------
    def _errors(self):
        return _MapTransportErrors(self.base_url)

    def _http_error(self, status: int, text: str) -> UpstreamError:
        message = text[:500]
        code = None
        try:
            error = json.loads(text).get("error")
            if isinstance(error, dict):
                message = error.get("message") or message
                code = error.get("code") or error.get("type")
            elif isinstance(error, str):
                message = error
        except (ValueError, AttributeError):
            pass
        lowered = f"{message} {code}".lower()
        prefix = f"upstream {self.base_url} answered {status}: "
        if status == 429:
            return UpstreamRateLimited(prefix + str(message))
        if any(marker in lowered for marker in _CONTEXT_MARKERS):
            return ContextLengthExceeded(prefix + str(message))
        error = UpstreamError(prefix + str(message))
        if status in (401, 403):
            error = UpstreamError(
                prefix + f"{message} — check the upstream API key ([upstream] api_key)",
                code="upstream_auth_failed",
            )
        elif 400 <= status < 500:
            error = UpstreamRejectedRequest(prefix + str(message))
        return error


class _MapTransportErrors:
    def __init__(self, base_url: str):
        self.base_url = base_url

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, httpx.TimeoutException):
            raise UpstreamTimeout(
                f"upstream {self.base_url} timed out ({type(exc).__name__})"
            ) from exc
        if isinstance(exc, httpx.TransportError):
            raise UpstreamUnavailable(f"upstream {self.base_url} is not reachable: {exc}") from exc
        return False


class _SseStream:
    """Iterates the upstream's ``data:`` chunks until ``[DONE]``; a cut stream raises."""

    def __init__(self, response: httpx.Response, provider: OpenAIChatProvider, model: str | None):
        self._response = response
        self._provider = provider
        self._model = model
        self.done = False

    def __iter__(self) -> Iterator[dict]:
        try:
            with _MapTransportErrors(self._provider.base_url):
                for line in self._response.iter_lines():
                    if not line or line.startswith(":"):
                        continue
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        self.done = True
                        return
                    try:
                        chunk = json.loads(data)
                    except ValueError:
                        raise UpstreamError(
                            f"upstream sent a malformed stream chunk: {data[:200]!r}"
                        ) from None
                    if isinstance(chunk, dict) and chunk.get("error") and not chunk.get("choices"):
                        raise self._provider._http_error(502, json.dumps(chunk))
                    if self._model and isinstance(chunk, dict):
                        chunk["model"] = self._model
                    yield chunk
        except httpx.StreamClosed:
            return
        except UpstreamUnavailable as exc:  # a transport error after the stream had started
            raise UpstreamError(
                f"upstream stream broke mid-way: {exc.__cause__ or exc}", code="upstream_stream_cut"
            ) from exc
        finally:
            self.close()
        if not self.done:
            raise UpstreamError(
                "upstream closed the stream before [DONE]", code="upstream_stream_cut"
            )

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> _SseStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class UnconfiguredChatProvider:
    """Stands in when no upstream is configured: every call is a 503 that says what to do."""

    MESSAGE = NO_UPSTREAM
    configured = False

    aliases: dict[str, str] = {}

    def resolve(self, model: str) -> str:
        return model

    def complete(self, request: dict) -> dict:
        raise UpstreamNotConfigured()

    def stream(self, request: dict):
        raise UpstreamNotConfigured()

    def models(self) -> list[dict]:
        return []

    def close(self) -> None:
        pass


class _WholeCompletion:
    """A stream over a completion the upstream sent whole: its chunks, then done."""

    def __init__(self, completion: dict):
        self._chunks = completion_chunks(completion)
        for chunk in self._chunks:
            chunk.setdefault("model", completion.get("model"))
        self.done = True

    def __iter__(self) -> Iterator[dict]:
        return iter(self._chunks)

    def close(self) -> None:
        pass

    def __enter__(self) -> _WholeCompletion:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
