"""Which adapters serve ``synth-ai scan``: the discovery part of the composition root.

``container.py`` exposes this as ``container.scan_task_apps()``; ``synth-ai scan`` calls it
directly because importing dependency-injector alone costs 0.2-0.5 s, more than the whole
empty sweep may take. Nothing else chooses discovery's adapters.
"""

from __future__ import annotations

from synth_ai.domain.discovery.service import ScanTaskApps
from synth_ai.ports.processes import ProcessInspector
from synth_ai.settings.config import Settings


def process_inspector() -> ProcessInspector:
    from synth_ai.adapters.procfs import ProcfsInspector

    return ProcfsInspector()


def build_scan_task_apps(
    settings: Settings, processes: ProcessInspector | None = None
) -> ScanTaskApps:
    from synth_ai.adapters.http_probe import HttpxTaskAppProbe
    from synth_ai.adapters.records_file import ServicesFile
    from synth_ai.adapters.system import SystemClock
    from synth_ai.adapters.tcp_sweep import AsyncioPortSweep
    from synth_ai.settings.tunnels import TunnelSettings

    tunnels = TunnelSettings.from_settings(settings)
    return ScanTaskApps(
        sweep=AsyncioPortSweep(),
        records=ServicesFile(settings.home / "services.json"),
        processes=processes or process_inspector(),
        probe=HttpxTaskAppProbe(tunnels.resolve),
        clock=SystemClock(),
        backend_tunnels=_backend_tunnels(settings),
    )


def _backend_tunnels(settings: Settings):
    """The backend's managed tunnels, only when a backend is configured (``--base-url`` /
    ``SYNTH_BACKEND_URL``): a scan never guesses where a backend might be."""
    if not settings.backend_url:
        return None
    from synth_ai.adapters.backend_http.discovery import LazyBackendTunnelDirectory

    return LazyBackendTunnelDirectory(settings.backend_url, settings.api_key)
