"""Processes read from Linux ``/proc``: the ``ProcessInspector`` adapter."""

from synth_ai.adapters.procfs.inspector import ProcfsInspector, program_of, runs_program

__all__ = ["ProcfsInspector", "program_of", "runs_program"]
