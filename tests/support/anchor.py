"""The public synth-ai 0.2.24 client ("the anchor"), installed into a git-ignored venv.

Reuses ``.cache/bench-scan/anchor-0.2.24`` (bench/bench_scan.py's copy) when present, else
runs ``pip install synth-ai==0.2.24`` into ``.cache/anchor-0.2.24`` once (under a file lock,
so parallel workers install it once; bounded by a timeout). A failed install fails the test
loudly: the suite never skips what it promises to check.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = "0.2.24"
CANDIDATES = (
    ROOT / ".cache" / "bench-scan" / f"anchor-{VERSION}",
    ROOT / ".cache" / f"anchor-{VERSION}",
)
INSTALL_TIMEOUT_S = 600


def _ready(venv: Path) -> bool:
    """bench_scan's copy once its script exists; ours once the install finished. Either only
    while its script's interpreter still exists: a venv made through another path (a worktree
    linking this .cache, since removed) keeps that path in its shebangs and must be rebuilt."""
    marker = venv / "bin" / "synth-ai" if venv == CANDIDATES[0] else venv / ".anchor-ok"
    script = venv / "bin" / "synth-ai"
    if not (marker.exists() and script.exists()):
        return False
    shebang = script.read_text(errors="replace").partition("\n")[0].removeprefix("#!").strip()
    return Path(shebang.split()[0]).exists() if shebang else False


def anchor_venv() -> Path:
    """The anchor's venv (``bin/synth-ai``, ``bin/python``), installing it when absent."""
    for venv in CANDIDATES:
        if _ready(venv):
            return venv
    venv = CANDIDATES[1]
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"anchor-{VERSION}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _ready(venv):
            return venv
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            install = subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", f"synth-ai=={VERSION}"],
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT_S,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            pytest.fail(f"cannot install synth-ai=={VERSION} into {venv}: {exc}", pytrace=False)
        if install.returncode != 0 or not (venv / "bin" / "synth-ai").exists():
            pytest.fail(
                f"cannot install synth-ai=={VERSION} into {venv}: {install.stderr[-800:]}",
                pytrace=False,
            )
        (venv / ".anchor-ok").write_text(VERSION)
    return venv


def anchor_env(backend_url: str, api_key: str, home: Path, **extra: str) -> dict[str, str]:
    """An environment pointing every part of the anchor at ``backend_url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNTH_", "BACKEND_"))}
    return {
        **env,
        "HOME": str(home),
        "SYNTH_API_KEY": api_key,
        "BACKEND_BASE_URL": backend_url,  # artifacts commands' --base-url
        "BACKEND_OVERRIDE": backend_url,
        "SYNTH_BACKEND_OVERRIDE": backend_url,  # synth_ai.urls.BACKEND_URL_BASE
        "NO_COLOR": "1",
        "COLUMNS": "200",
        **extra,
    }
