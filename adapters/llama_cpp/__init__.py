"""In-process llama.cpp chat provider (the ``local`` upstream; extra ``synth-ai[local]``)."""

from synth_ai.adapters.llama_cpp.model_file import (
    LocalModelFileMissing,
    LocalModelNotInstalled,
    resolve_model_path,
)
from synth_ai.adapters.llama_cpp.provider import LlamaCppChatProvider

__all__ = [
    "LlamaCppChatProvider",
    "LocalModelFileMissing",
    "LocalModelNotInstalled",
    "resolve_model_path",
]
