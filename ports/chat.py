"""An OpenAI-compatible Chat Completions upstream (OpenAI, vLLM, Ollama, llama.cpp, Groq).

Requests and chunks are plain dicts in the Chat Completions wire shape. ``model`` is the name
the client used (an alias such as ``synth-small`` or an upstream model); the provider resolves
aliases. Failures raise the ``UpstreamError`` family from ``synth_ai.domain.errors``
(``UpstreamRateLimited``, ``ContextLengthExceeded``, ``UpstreamTimeout``,
``UpstreamUnavailable``), never a bare exception.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol


class ChatStream(Protocol):
    """Iterates ``chat.completion.chunk`` dicts; ``close()`` releases the upstream request.

    Closing early (client disconnect) must close the upstream connection. A stream that ends
    without ``[DONE]`` raises ``UpstreamError`` from the iterator.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]: ...

    def close(self) -> None: ...

    def __enter__(self) -> ChatStream: ...

    def __exit__(self, *exc: object) -> None: ...


class ChatProvider(Protocol):
    # False for the stand-in used when no upstream is configured: every call raises
    # ``UpstreamNotConfigured``, and metered routes refuse before reserving anything.
    configured: bool

    def complete(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """A non-streaming ``chat.completion`` response dict."""
        ...

    def stream(self, request: Mapping[str, Any]) -> ChatStream:
        """Start a streaming request (``stream: true`` and ``stream_options.include_usage``)."""
        ...

    def models(self) -> list[dict[str, Any]]:
        """The models this provider serves, as OpenAI ``model`` objects."""
        ...
