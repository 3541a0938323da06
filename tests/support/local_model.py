"""The ``local_model_path`` fixture: the packaged Gemma 3 270M GGUF, assembled once per machine.

Import it into a test module (``from tests.support.local_model import local_model_path``). The
file goes under the real home's cache, not the per-test HOME the autouse fixture sets, which
would assemble 250 MB for every test. Needs the ``[local]`` extra, which ``scripts/test``
installs; without it the fixture fails loudly rather than skipping.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest


@pytest.fixture(scope="session", name="local_model_path")
def local_model_path() -> str:
    from synth_ai.adapters.llama_cpp import resolve_model_path
    from synth_ai.domain.errors import SynthError

    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    try:
        import llama_cpp  # noqa: F401

        return str(resolve_model_path(None, home / ".cache" / "synth-ai" / "models"))
    except (ImportError, SynthError) as exc:
        pytest.fail(
            f"the [local] extra is not installed ({exc}) — run the suite with scripts/test, "
            "which installs it",
            pytrace=False,
        )
