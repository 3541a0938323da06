"""Waitress in a background thread, stoppable: task apps and synth-ai serve."""

from synth_ai.adapters.waitress_host.server import (
    BackgroundServer,
    PortInUse,
    find_free_port,
    port_is_free,
)

__all__ = ["BackgroundServer", "PortInUse", "find_free_port", "port_is_free"]
