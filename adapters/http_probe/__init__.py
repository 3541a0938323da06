"""Health and info checks of task apps over HTTP: the ``TaskAppProbe`` adapter (httpx)."""

from synth_ai.adapters.http_probe.probe import HttpxTaskAppProbe

__all__ = ["HttpxTaskAppProbe"]
