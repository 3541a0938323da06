"""Running processes, as the deploy commands and ``scan`` need to see them.

``find`` names processes by program (``cloudflared``), ``is_alive`` and ``runs`` tell whether a
recorded pid still runs and is still ours (a reused pid is not trusted), and ``output_text``
reads what a process logs to a file (cloudflared prints its quick-tunnel URL there).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from attrs import field, frozen


# Typed converters: mypy cannot infer the item type of a bare ``converter=tuple``.
def _argv(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


@frozen
class RunningProcess:
    pid: int
    argv: tuple[str, ...] = field(converter=_argv)


class ProcessInspector(Protocol):
    def find(self, program: str) -> list[RunningProcess]:
        """Processes running ``program``: its name is the base name of ``argv[0]``, or of the
        script an interpreter runs (``python …/fake_cloudflared.py`` runs ``cloudflared``)."""
        ...

    def command_line(self, pid: int) -> tuple[str, ...] | None:
        """``pid``'s argv, or None when the process is gone or cannot be read."""
        ...

    def is_alive(self, pid: int) -> bool:
        """Whether ``pid`` runs (a zombie, exited but not yet reaped, does not)."""
        ...

    def runs(self, pid: int, *words: str) -> bool:
        """Whether ``pid``'s command line mentions one of ``words``. True when the process
        exists but its command line cannot be read (no procfs, no permission); False when it
        is gone."""
        ...

    def output_text(self, pid: int, limit: int = 65536) -> str:
        """The last ``limit`` bytes of each file ``pid`` logs to (``--logfile PATH``, or its
        stdout / stderr redirected to a regular file), joined; ``""`` when there is none."""
        ...
