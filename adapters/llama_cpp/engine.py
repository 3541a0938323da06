"""One llama.cpp model per process, and the token loop that answers one request at a time.

A llama.cpp context holds one KV cache: two requests decoding into it at once would corrupt
each other. So each loaded model has one thread of its own that runs every generation, one
after the other; callers queue for it and receive the text pieces through a queue. Closing a
generation early (the client went away) stops it at its next token. The model is loaded on first
use and shared by every provider in the process that names the same file and settings.

A thread of its own rather than a lock also keeps llama.cpp off the Python main thread, where
its OpenMP workers, spinning, ran many times slower on this machine (docs/local-model.md).

The loop is ours (over ``Llama.generate``) rather than ``create_completion``, so usage counts
are the real token counts — the prompt as tokenized, and every sampled token — and stop
strings never leak a partial match into a streamed delta.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from attrs import define, field, frozen
from synth_ai.adapters.llama_cpp.model_file import INSTALL_HINT, LocalModelNotInstalled
from synth_ai.adapters.llama_cpp.stop_text import StopText
from synth_ai.adapters.llama_cpp.turns import END, START, gemma_prompt
from synth_ai.domain.errors import ContextLengthExceeded, InvalidInput

TURN_MARKERS = (END, START)


def import_llama_cpp():
    # llama.cpp's OpenMP workers spin while they wait for each other. On a machine whose cores
    # are busy with other work, a spinning worker starves the one it waits for: measured here, 2
    # threads fell to ~1 token/s spinning against 10-15 sleeping. So they sleep unless the user
    # chose otherwise. (Read when the OpenMP runtime loads, i.e. at the first import.)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import llama_cpp
    except ImportError:
        raise LocalModelNotInstalled(
            f"the local model needs llama-cpp-python, which is not installed — run: {INSTALL_HINT}"
        ) from None
    return llama_cpp


@frozen
class Sampling:
    max_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 40
    min_p: float = 0.05
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    stop: tuple[str, ...] = ()
    seed: int | None = None


@define
class Generation:
    """What one generation produced so far; ``finish_reason`` is set when it ends."""

    prompt_tokens: int
    completion_tokens: int = 0
    finish_reason: str | None = None
    text: list[str] = field(factory=list)


@frozen
class ModelKey:
    path: str
    context_size: int
    threads: int | None
    prompt_format: str


class LoadedModel:
    """A ``llama_cpp.Llama`` and the one thread that runs its generations in turn."""

    def __init__(self, llama, prompt_format: str, path: Path):
        self.llama = llama
        self.path = path
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="llama-cpp")
        # llama.cpp may pad the context it allocates; llama-cpp-python's token buffer has the
        # size that was asked for. The smaller is what a prompt and its answer may fill.
        self.context_size = min(llama.n_ctx(), llama.context_params.n_ctx)
        metadata = getattr(llama, "metadata", {}) or {}
        template = metadata.get("tokenizer.chat_template")
        if prompt_format == "template" and not template:
            raise InvalidInput(
                "[upstream] prompt_format = 'template' but the GGUF carries no chat template — "
                "use 'gemma' or 'auto'"
            )
        self._formatter = None
        self._format = "gemma" if prompt_format == "auto" else prompt_format
        if template and prompt_format in ("auto", "template"):
            self._format = "template"
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            vocab = llama._model
            self._formatter = Jinja2ChatFormatter(
                template,
                eos_token=vocab.token_get_text(llama.token_eos()),
                bos_token=vocab.token_get_text(llama.token_bos()),
            )
        self._vocab = llama._model.vocab
        self._llama_cpp = import_llama_cpp()
        # Base models that never learnt <end_of_turn> as end-of-generation still stop on it.
        self._stop_ids = set()
        for marker in (b"<end_of_turn>", b"<start_of_turn>"):
            ids = llama.tokenize(marker, add_bos=False, special=True)
            if len(ids) == 1:
                self._stop_ids.add(ids[0])

    @property
    def prompt_format(self) -> str:
        return self._format

    def tokenize_chat(self, messages: list[dict]) -> list[int]:
        if self._formatter is not None:
            rendered = self._formatter(messages=messages)
            text, add_bos = rendered.prompt, not rendered.added_special
            return self.llama.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)
        # "gemma" writes the turn markers as plain text (special=False), not as Gemma's control
        # tokens: the packaged base model never learnt those (fed them, it echoes the prompt and
        # drifts into stray tokens), while it follows the markers written out as text.
        # "gemma-control" is for instruction-tuned Gemma files that lack a template.
        text = gemma_prompt(messages)
        control = self._format == "gemma-control"
        return self.llama.tokenize(text.encode("utf-8"), add_bos=True, special=control)

    @property
    def turn_stops(self) -> tuple[str, ...]:
        """Stop strings the prompt format implies (the text markers of a new turn)."""
        return TURN_MARKERS if self._format == "gemma" else ()

    def count_tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _ends_turn(self, token: int) -> bool:
        return token in self._stop_ids or bool(
            self._llama_cpp.llama_vocab_is_eog(self._vocab, token)
        )

    def generate(self, tokens: list[int], sampling: Sampling, state: Generation) -> Iterator[str]:
        """Yield the answer's text pieces as the model's thread produces them, after the
        generations queued before this one. Closing the iterator stops the generation."""
        pieces: queue.SimpleQueue = queue.SimpleQueue()
        cancel = threading.Event()

        def produce() -> None:
            loop = self._token_loop(tokens, sampling, state)
            try:
                for piece in loop:
                    if cancel.is_set():
                        break
                    pieces.put(piece)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                pieces.put(_Failed(exc))
            finally:
                loop.close()
                pieces.put(_DONE)

        self._worker.submit(produce)
        try:
            while (item := pieces.get()) is not _DONE:
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            cancel.set()

    def drain(self) -> None:
        """Wait until every generation queued so far has ended."""
        self._worker.submit(lambda: None).result()

    def _token_loop(
        self, tokens: list[int], sampling: Sampling, state: Generation
    ) -> Iterator[str]:
        room = self.context_size - len(tokens)
        if room <= 0:
            raise ContextLengthExceeded(
                f"the prompt is {len(tokens)} tokens, the local model's context is "
                f"{self.context_size} — shorten the messages or raise [upstream] context_size"
            )
        budget = min(sampling.max_tokens, room)
        llama = self.llama
        if sampling.seed is not None:
            llama.set_seed(sampling.seed)
        text = StopText(sampling.stop, markers=self.turn_stops)
        tokens_out = llama.generate(
            tokens,
            top_k=sampling.top_k,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            temp=sampling.temperature,
            frequency_penalty=sampling.frequency_penalty,
            presence_penalty=sampling.presence_penalty,
            repeat_penalty=1.0,
        )
        try:
            for token in tokens_out:
                if self._ends_turn(token):
                    state.finish_reason = "stop"
                    break
                state.completion_tokens += 1
                piece, stopped = text.push(llama.detokenize([token]))
                if piece:
                    state.text.append(piece)
                    yield piece
                if stopped:
                    state.finish_reason = "stop"
                    return
                if state.completion_tokens >= budget:
                    state.finish_reason = "length"
                    break
        finally:
            tokens_out.close()
        rest = text.flush()
        if rest:
            state.text.append(rest)
            yield rest


_DONE = object()


@frozen
class _Failed:
    error: BaseException


_loaded: dict[ModelKey, LoadedModel] = {}
_loading = threading.Lock()


def load_model(
    path: Path, *, context_size: int, threads: int | None, prompt_format: str
) -> LoadedModel:
    """The process's one ``LoadedModel`` for these settings, loaded on first call."""
    key = ModelKey(str(path), context_size, threads, prompt_format)
    with _loading:
        model = _loaded.get(key)
        if model is None:
            llama_cpp = import_llama_cpp()
            llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=context_size,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=False,
            )
            model = _loaded[key] = LoadedModel(llama, prompt_format, path)
        return model
