"""``ProcessInspector``: the same assertions for /proc (real processes) and the fake."""

from __future__ import annotations

import abc
import subprocess
import sys
import time

import pytest
from synth_ai.adapters.procfs import ProcfsInspector

from tests.fakes.processes import FakeProcesses

SLEEPER = "import sys, time\nprint(*sys.argv[1:], file=sys.stderr, flush=True)\ntime.sleep(60)\n"


class World(abc.ABC):
    """Processes a test starts, seen through one inspector."""

    inspector: object

    @abc.abstractmethod
    def start(self, program: str, args: list[str], *, log_to: str | None = None) -> int:
        """Run a process whose program is ``program`` with ``args``; with ``log_to``, its stderr
        (which echoes ``args``) goes to that file."""

    @abc.abstractmethod
    def stop(self, pid: int) -> None: ...

    def close(self) -> None:  # noqa: B027 - most worlds have nothing to close
        """Stop whatever is still running."""


class ProcessInspectorContract(abc.ABC):
    @abc.abstractmethod
    def make(self, tmp_path) -> World: ...

    @pytest.fixture
    def world(self, tmp_path):
        made = self.make(tmp_path)
        yield made
        made.close()

    def test_a_process_is_found_by_its_program_with_its_arguments(self, world):
        pid = world.start("cloudflared", ["tunnel", "--url", "http://127.0.0.1:8123"])
        found = {p.pid: p for p in world.inspector.find("cloudflared")}
        assert pid in found
        assert found[pid].argv[-3:] == ("tunnel", "--url", "http://127.0.0.1:8123")
        assert world.inspector.command_line(pid)[-1] == "http://127.0.0.1:8123"

    def test_other_programs_are_not_found(self, world):
        pid = world.start("not-a-tunnel", ["tunnel", "--url", "http://127.0.0.1:8123"])
        assert pid not in {p.pid for p in world.inspector.find("cloudflared")}

    def test_a_stopped_process_is_neither_alive_nor_found(self, world):
        pid = world.start("cloudflared", ["tunnel", "run"])
        assert world.inspector.is_alive(pid)
        world.stop(pid)
        assert not world.inspector.is_alive(pid)
        assert pid not in {p.pid for p in world.inspector.find("cloudflared")}
        assert world.inspector.command_line(pid) is None
        assert not world.inspector.runs(pid, "cloudflared")

    def test_runs_tells_whether_the_command_line_mentions_a_word(self, world):
        pid = world.start("cloudflared", ["tunnel", "run", "synth-ai-marker"])
        assert world.inspector.runs(pid, "synth-ai-marker", "other")
        assert not world.inspector.runs(pid, "nowhere-in-argv")

    def test_the_output_a_process_logs_to_a_file_is_readable(self, world, tmp_path):
        log = tmp_path / "cloudflared.log"
        pid = world.start("cloudflared", ["https://amber-basin.trycloudflare.com"], log_to=str(log))
        deadline = time.monotonic() + 10
        while "amber-basin" not in world.inspector.output_text(pid):
            assert time.monotonic() < deadline, "the log never showed the URL"
            time.sleep(0.05)

    def test_a_process_without_a_log_file_has_no_output_text(self, world):
        pid = world.start("cloudflared", ["tunnel", "run"])
        assert world.inspector.output_text(pid) == ""

    def test_pids_that_never_existed_are_not_alive(self, world):
        assert not world.inspector.is_alive(0)
        assert not world.inspector.is_alive(-5)
        assert world.inspector.command_line(2**22 + 12345) is None


class RealProcesses(World):
    def __init__(self, tmp_path):
        self.inspector = ProcfsInspector()
        self._tmp = tmp_path
        self._processes: dict[int, subprocess.Popen] = {}

    def start(self, program, args, *, log_to=None):
        script = self._tmp / f"{program}.py"
        script.write_text(SLEEPER)
        stderr = open(log_to, "wb") if log_to else subprocess.DEVNULL  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, str(script), *args], stdout=subprocess.DEVNULL, stderr=stderr
        )
        if log_to:
            stderr.close()
        self._processes[process.pid] = process
        deadline = time.monotonic() + 10  # until the child has exec'd (argv is the new one)
        while (self.inspector.command_line(process.pid) or ())[-len(args) :] != tuple(args):
            assert time.monotonic() < deadline, "the process never showed its arguments"
            time.sleep(0.01)
        return process.pid

    def stop(self, pid):
        process = self._processes.pop(pid)
        process.kill()
        process.wait(10)

    def close(self):
        for pid in list(self._processes):
            self.stop(pid)


class PretendProcesses(World):
    def __init__(self):
        self.inspector = FakeProcesses()

    def start(self, program, args, *, log_to=None):
        return self.inspector.start(
            [f"/usr/local/bin/{program}", *args], log=" ".join(args) if log_to else ""
        )

    def stop(self, pid):
        self.inspector.stop(pid)


class TestProcfsInspector(ProcessInspectorContract):
    def make(self, tmp_path):
        return RealProcesses(tmp_path)

    def test_a_zombie_is_not_alive(self):
        process = subprocess.Popen([sys.executable, "-c", "pass"])
        deadline = time.monotonic() + 10
        while ProcfsInspector().is_alive(process.pid):  # exited, not yet reaped
            assert time.monotonic() < deadline
            time.sleep(0.02)
        process.wait(10)

    def test_the_real_binary_name_is_matched_and_its_interpreter_script_too(self):
        from synth_ai.adapters.procfs import program_of

        assert program_of(("/usr/local/bin/cloudflared", "tunnel")) == "cloudflared"
        assert program_of(("/usr/bin/python3.11", "/x/fake_cloudflared.py", "tunnel")) == (
            "fake_cloudflared"
        )
        assert program_of(("/usr/bin/python3", "-c", "code")) == "python3"


class TestFakeProcesses(ProcessInspectorContract):
    def make(self, tmp_path):
        return PretendProcesses()
