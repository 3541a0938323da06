"""A concurrent TCP connect sweep of local ports: the ``PortSweep`` adapter."""

from synth_ai.adapters.tcp_sweep.sweep import AsyncioPortSweep

__all__ = ["AsyncioPortSweep"]
