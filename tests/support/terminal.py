"""Run the real CLI with stdout and stderr on a pseudo-terminal, to see what a person sees."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_in_terminal(*args: str, env: dict | None = None, timeout: float = 60) -> tuple[int, str]:
    """``synth-ai ARGS`` on a pty (100 columns); returns (exit code, everything it showed,
    without colour and cursor escape sequences)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "synth_ai", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout), _ESCAPES.sub("", shown.decode(errors="replace"))
