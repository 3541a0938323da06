"""Pid files of this home's queue workers, and stopping them without touching anyone else's.

A pid file holds the pid and the process's start time (``/proc/PID/stat`` field 22), so a pid
reused by an unrelated process after a crash is recognised as not ours and left alone.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WorkerPids:
    def __init__(self, folder: Path):
        self.folder = folder

    def _file(self, pid: int) -> Path:
        return self.folder / f"worker-{pid}.pid"

    def write(self, pid: int | None = None) -> None:
        pid = pid or os.getpid()
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self._file(pid).with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": pid, "start": _start_time(pid)}))
        tmp.replace(self._file(pid))

    def remove(self, pid: int | None = None) -> None:
        self._file(pid or os.getpid()).unlink(missing_ok=True)

    def ours(self) -> list[int]:
        """Pids of live workers that wrote a pid file here (stale files are removed)."""
        pids = []
        for path in sorted(self.folder.glob("worker-*.pid")):
            try:
                data = json.loads(path.read_text())
                pid = int(data["pid"])
            except (OSError, ValueError, KeyError, TypeError):
                path.unlink(missing_ok=True)
                continue
            if pid == os.getpid():
                continue
            if _alive(pid) and (data.get("start") is None or _start_time(pid) == data["start"]):
                pids.append(pid)
            else:
                path.unlink(missing_ok=True)
        return pids

    def stop(self, pid: int, *, now: bool = False, timeout: float = 60.0) -> bool:
        """SIGTERM (drain) or SIGINT (hand back now), then wait; never SIGKILL."""
        try:
            os.kill(pid, signal.SIGINT if now else signal.SIGTERM)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid) or _is_zombie(pid):
                self.remove(pid)
                return True
            time.sleep(0.05)
        return False


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False
