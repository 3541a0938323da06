"""A user's own script that hosts a task app with ``InProcessTaskApp``, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import signal, sys, time
from synth_ai import InProcessTaskApp
previous = signal.getsignal(signal.SIGTERM)
try:
    with InProcessTaskApp(task_app_path=sys.argv[1], port=0, tunnel_mode=sys.argv[2]) as app:
        print("READY", app.url, app.local_url, app.port, app.tunnel.pid if app.tunnel else 0, flush=True)
        while True:
            time.sleep(0.05)
except KeyboardInterrupt:
    print("KEYBOARD_INTERRUPT", signal.getsignal(signal.SIGINT) is signal.default_int_handler,
          signal.getsignal(signal.SIGTERM) is previous, flush=True)
"""


class UserScript:
    def __init__(self, process: subprocess.Popen, first_line: str):
        self.process = process
        self.first_line = first_line
        self.ready = first_line.startswith("READY")
        if self.ready:
            _, self.url, self.local_url, port, tunnel_pid = first_line.split()
            self.port, self.tunnel_pid = int(port), int(tunnel_pid)

    @property
    def pid(self) -> int:
        return self.process.pid

    def finish(self, timeout: float = 30) -> tuple[str, str]:
        out, err = self.process.communicate(timeout=timeout)
        return self.first_line + out, err


def start_user_script(folder: Path, task_app: Path, tunnel_mode: str = "none") -> UserScript:
    script = folder / "user_script.py"
    script.write_text(SCRIPT)
    process = subprocess.Popen(
        [sys.executable, str(script), str(task_app), tunnel_mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    return UserScript(process, process.stdout.readline())
