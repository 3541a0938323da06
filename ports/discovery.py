"""What ``synth-ai scan`` needs from the outside world (besides ``ProcessInspector``).

Each call is bounded by the ``timeout`` it is given; adapters run their own work concurrently
(a sweep of 200 ports or 20 probes must not take 200 or 20 timeouts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from synth_ai.domain.discovery.model import ProbeRequest, ProbeResult
from synth_ai.domain.task_apps.deployments import ServiceRecord
from synth_ai.domain.tunnels.model import TunnelRecord


class PortSweep(Protocol):
    def open_ports(
        self, hosts: Sequence[str], first: int, last: int, timeout: float
    ) -> list[tuple[str, int]]:
        """``(host, port)`` for every port in ``first..last`` that accepts a TCP connection on
        one of ``hosts``; a host this machine cannot use (no IPv6) is skipped."""
        ...


class TaskAppProbe(Protocol):
    def probe_all(self, requests: Sequence[ProbeRequest], timeout: float) -> list[ProbeResult]:
        """``GET /health`` and ``GET /info`` of each URL, concurrently, each bounded by
        ``timeout``; the key (``X-API-Key``) only where the request carries one. One result
        per request, in order; a transport failure is a result with ``error``, not an
        exception."""
        ...


class DeploymentRecords(Protocol):
    def list_all(self) -> list[ServiceRecord]:
        """Every record as written, stale ones too (scan reports them; it does not prune)."""
        ...


class BackendTunnels(Protocol):
    def list_tunnels(self, timeout: float) -> list[TunnelRecord]:
        """The managed tunnels the configured backend issued (``GET /api/v1/tunnels/``)."""
        ...
