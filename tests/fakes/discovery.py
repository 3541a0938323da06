"""Fakes of discovery's ports: a sweep over a set of open ports, a probe with scripted
answers that records which keys went where, and a backend's tunnel list."""

from __future__ import annotations

from collections.abc import Sequence

from synth_ai.domain.discovery.model import HttpAnswer, ProbeRequest, ProbeResult
from synth_ai.domain.discovery.rules import normalise_url
from synth_ai.domain.tunnels.model import TunnelRecord
from synth_ai.ports.discovery import BackendTunnels, PortSweep, TaskAppProbe

TASK_APP_HEALTH = {"healthy": True, "service": {"task": {"id": "arith", "name": "Arithmetic"}}}


def task_app_info(app_id: str = "arith", version: str = "1.2.0") -> dict:
    return {
        "service": {"task": {"id": app_id, "name": app_id.title(), "version": version}},
        "dataset": {"id": f"{app_id}-ds"},
    }


class FakePortSweep(PortSweep):
    def __init__(
        self, open_ports: set[tuple[str, int]] | None = None, error: Exception | None = None
    ):
        self.open = set(open_ports or ())
        self.error = error
        self.calls: list[tuple] = []

    def open_ports(self, hosts: Sequence[str], first: int, last: int, timeout: float):
        self.calls.append((tuple(hosts), first, last, timeout))
        if self.error:
            raise self.error
        return sorted((h, p) for h, p in self.open if h in hosts and first <= p <= last)


class ScriptedProbe(TaskAppProbe):
    """``answer(url, health=…, info=…)`` scripts a URL; any other URL refuses connections.
    ``requests`` keeps every ``ProbeRequest`` (so tests see where the key went)."""

    def __init__(self) -> None:
        self._answers: dict[str, ProbeResult] = {}
        self.requests: list[ProbeRequest] = []
        self.key_required: dict[str, str] = {}
        self.not_http: set[str] = set()

    def answer(self, url: str, health=(200, TASK_APP_HEALTH), info=(200, None), error=None):
        """Script ``url``'s answers; results come back under the URL as requested."""
        url = normalise_url(url)
        self._answers[url] = ProbeResult(
            url,
            health=HttpAnswer(*health) if health else None,
            info=HttpAnswer(*info) if info else None,
            error=error,
            elapsed_ms=1.0,
        )

    def task_app(self, url: str, app_id: str = "arith", *, key: str | None = None) -> None:
        """A task app whose /info needs ``key`` (when given)."""
        self.answer(url, info=(200, task_app_info(app_id)))
        if key:
            self.key_required[normalise_url(url)] = key

    def probe_all(self, requests: Sequence[ProbeRequest], timeout: float) -> list[ProbeResult]:
        self.requests += list(requests)
        results = []
        for request in requests:
            url = normalise_url(request.url)
            result = self._answers.get(url) or ProbeResult(url, error="connection refused")
            if url in self.not_http:
                result = ProbeResult(url, error=result.error, not_http=True)
            wanted = self.key_required.get(url)
            if wanted and request.api_key != wanted:
                result = ProbeResult(
                    url, health=result.health, info=HttpAnswer(401, {"error": {}}), elapsed_ms=1.0
                )
            results.append(result)
        return results

    def key_sent_to(self, url: str) -> str | None:
        url = normalise_url(url)
        return next((r.api_key for r in self.requests if normalise_url(r.url) == url), None)


class FakeBackendTunnels(BackendTunnels):
    def __init__(self, tunnels: list[TunnelRecord] | None = None, error: Exception | None = None):
        self.tunnels = list(tunnels or [])
        self.error = error

    def list_tunnels(self, timeout: float) -> list[TunnelRecord]:
        if self.error:
            raise self.error
        return list(self.tunnels)
