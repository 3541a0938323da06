"""A real ``synth-ai serve`` subprocess on a free port, pointed at a scripted upstream."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    def __init__(
        self,
        home: Path,
        upstream_url: str,
        api_key: str,
        *,
        extra_env: dict | None = None,
        threads: int = 16,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_key = api_key
        self.env = {
            **os.environ,
            "SYNTH_AI_HOME": str(home),
            "SYNTH_API_KEY": api_key,
            "SYNTH_AI_UPSTREAM_URL": upstream_url,
            "SYNTH_BACKEND_URL": self.url,
            **(extra_env or {}),
        }
        self.log = home / "serve.log"
        self._log_handle = open(self.log, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "synth_ai",
                "serve",
                "--port",
                str(self.port),
                "--threads",
                str(threads),
            ],
            env=self.env,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
        )
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"synth-ai serve exited: {self.log.read_text()}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"synth-ai serve not healthy after {timeout}s: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log_handle.close()
