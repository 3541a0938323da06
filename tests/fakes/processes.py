"""A ``ProcessInspector`` over a table of pretend processes."""

from __future__ import annotations

from synth_ai.adapters.procfs import runs_program
from synth_ai.ports.processes import ProcessInspector, RunningProcess


class FakeProcesses(ProcessInspector):
    """``start(argv)`` adds a running process; ``stop(pid)`` ends it; ``logs[pid]`` is its log."""

    def __init__(self) -> None:
        self._argv: dict[int, tuple[str, ...]] = {}
        self._next = 4000
        self.logs: dict[int, str] = {}

    def start(self, argv: list[str] | tuple[str, ...], *, log: str = "", pid: int | None = None):
        if pid is None:
            self._next += 1
            pid = self._next
        self._argv[pid] = tuple(argv)
        if log:
            self.logs[pid] = log
        return pid

    def stop(self, pid: int) -> None:
        self._argv.pop(pid, None)

    def find(self, program: str) -> list[RunningProcess]:
        return [
            RunningProcess(pid, argv)
            for pid, argv in sorted(self._argv.items())
            if runs_program(argv, program)
        ]

    def command_line(self, pid: int) -> tuple[str, ...] | None:
        return self._argv.get(pid)

    def is_alive(self, pid: int) -> bool:
        return pid in self._argv

    def runs(self, pid: int, *words: str) -> bool:
        argv = self._argv.get(pid)
        return argv is not None and any(word in " ".join(argv) for word in words)

    def output_text(self, pid: int, limit: int = 65536) -> str:
        return self.logs.get(pid, "")[-limit:] if pid in self._argv else ""
