"""``ProcessInspector`` on Linux ``/proc`` (stdlib only).

``/proc/PID/cmdline`` gives argv, ``/proc/PID/stat`` the state (``Z`` for a zombie),
``/proc/PID/fd/1`` and ``fd/2`` where stdout and stderr go. Processes of other users are
listed (their cmdline is world-readable) but their log files usually are not.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from synth_ai.ports.processes import RunningProcess

_INTERPRETER = re.compile(r"^(python[0-9.]*|sh|bash|dash|node)$")
_LOGFILE_FLAGS = ("--logfile", "--log-file")


def program_of(argv: tuple[str, ...]) -> str:
    """The program a command line runs: ``argv[0]``'s base name, or the script's base name
    (without ``.py``) when ``argv[0]`` is an interpreter."""
    if not argv:
        return ""
    name = os.path.basename(argv[0])
    if _INTERPRETER.match(name) and len(argv) > 1 and not argv[1].startswith("-"):
        return os.path.basename(argv[1]).removesuffix(".py")
    return name


def runs_program(argv: tuple[str, ...], program: str) -> bool:
    name = program_of(argv)
    return name == program or name.endswith(("_" + program, "-" + program))


class ProcfsInspector:
    def __init__(self, root: str | Path = "/proc"):
        self._root = Path(root)

    def _pids(self) -> list[int]:
        try:
            return [int(entry) for entry in os.listdir(self._root) if entry.isdigit()]
        except OSError:
            return []

    def command_line(self, pid: int) -> tuple[str, ...] | None:
        try:
            raw = (self._root / str(pid) / "cmdline").read_bytes()
        except OSError:
            return None
        if not raw:  # a kernel thread or a zombie
            return None
        return tuple(part.decode("utf-8", "replace") for part in raw.rstrip(b"\0").split(b"\0"))

    def find(self, program: str) -> list[RunningProcess]:
        found = []
        for pid in sorted(self._pids()):
            argv = self.command_line(pid)
            if argv and runs_program(argv, program) and self.is_alive(pid):
                found.append(RunningProcess(pid, argv))
        return found

    def is_alive(self, pid: int) -> bool:
        if pid <= 0:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        try:  # a zombie (exited, not yet reaped) is gone for our purposes
            stat = (self._root / str(pid) / "stat").read_text(encoding="ascii")
            return stat.rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return True

    def runs(self, pid: int, *words: str) -> bool:
        try:
            raw = (self._root / str(pid) / "cmdline").read_bytes()
        except FileNotFoundError:
            # gone, unless there is no procfs at all (then we cannot tell: assume yes)
            return not (self._root / "self").is_dir() and self.is_alive(pid)
        except OSError:
            return True
        command = raw.replace(b"\0", b" ").decode("utf-8", "replace")
        return any(word in command for word in words)

    def _log_paths(self, pid: int) -> list[Path]:
        paths: list[Path] = []
        argv = self.command_line(pid) or ()
        for index, arg in enumerate(argv):
            for flag in _LOGFILE_FLAGS:
                if arg == flag and index + 1 < len(argv):
                    paths.append(Path(argv[index + 1]))
                elif arg.startswith(flag + "="):
                    paths.append(Path(arg.split("=", 1)[1]))
        for fd in (1, 2):
            try:
                target = os.readlink(self._root / str(pid) / "fd" / str(fd))
            except OSError:
                continue
            if target.startswith("/") and Path(target).is_file():
                paths.append(Path(target))
        cwd = self._root / str(pid) / "cwd"
        return [path if path.is_absolute() else cwd / path for path in dict.fromkeys(paths)]

    def output_text(self, pid: int, limit: int = 65536) -> str:
        texts = []
        for path in self._log_paths(pid):
            try:
                with open(path, "rb") as handle:
                    handle.seek(0, os.SEEK_END)
                    handle.seek(max(0, handle.tell() - limit))
                    texts.append(handle.read().decode("utf-8", "replace"))
            except OSError:
                continue
        return "\n".join(texts)
