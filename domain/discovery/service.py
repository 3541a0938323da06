"""``ScanTaskApps``: every source at once, one candidate per URL, every probe at once.

Sources run concurrently (records, cloudflared processes, the backend's tunnels, the port
sweep); a source that fails is reported in ``problems`` and the scan goes on. Then every
candidate is probed concurrently, the key going only where ``may_send_key`` allows, and each
answer is classified. A record whose pid is gone and whose URL does not answer is stale.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from synth_ai.domain.discovery.errors import InvalidScanRequest
from synth_ai.domain.discovery.model import (
    Candidate,
    DiscoveredApp,
    Health,
    ProbeRequest,
    ScanReport,
    ScanRequest,
    Source,
    StaleRecord,
)
from synth_ai.domain.discovery.rules import (
    check_timeout,
    classify,
    may_send_key,
    merge,
    metadata_of,
)
from synth_ai.domain.discovery.sources import (
    from_backend_tunnel,
    from_open_port,
    from_service_record,
    from_tunnel_process,
    live_check,
    read_cloudflared,
)
from synth_ai.ports.clock import Clock
from synth_ai.ports.discovery import BackendTunnels, DeploymentRecords, PortSweep, TaskAppProbe
from synth_ai.ports.processes import ProcessInspector


class ScanTaskApps:
    def __init__(
        self,
        *,
        sweep: PortSweep,
        records: DeploymentRecords,
        processes: ProcessInspector,
        probe: TaskAppProbe,
        clock: Clock,
        backend_tunnels: BackendTunnels | None = None,
    ):
        self._clock = clock
        self._sweep = sweep
        self._records = records
        self._processes = processes
        self._probe = probe
        self._backend = backend_tunnels
        self._live = live_check(processes.is_alive, processes.runs)

    def run(self, request: ScanRequest) -> ScanReport:
        check_timeout(request.timeout)
        if not 1 <= request.first_port <= request.last_port <= 65535:
            raise InvalidScanRequest(
                f"port range {request.first_port}:{request.last_port} is invalid — "
                "use ports 1-65535 with START <= END"
            )
        started = self._clock.now()
        candidates, problems = self._gather(request)
        merged = merge(candidates)
        apps, stale = self._check(merged, request)
        apps.sort(key=lambda a: (a.candidate.kind.value, a.candidate.port or 0, a.candidate.url))
        return ScanReport(
            apps=apps,
            stale=stale,
            problems=problems,
            duration_ms=round((self._clock.now() - started) * 1000, 1),
        )

    def _gather(self, request: ScanRequest) -> tuple[list[Candidate], list[str]]:
        jobs: dict[Source, Callable[[], list[Candidate]]] = {
            Source.PORT_SCAN: lambda: self._from_sweep(request),
            Source.SERVICE_RECORDS: self._from_records,
            Source.CLOUDFLARED_PROCESS: self._from_processes,
        }
        if self._backend is not None:
            jobs[Source.BACKEND_API] = lambda: self._from_backend(request.timeout)
        candidates: list[Candidate] = []
        problems: list[str] = []
        with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="scan-source") as pool:
            futures = {source: pool.submit(job) for source, job in jobs.items()}
            for source, future in futures.items():
                try:
                    candidates += future.result()
                except Exception as exc:  # noqa: BLE001 - one broken source must not end the scan
                    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
                    problems.append(f"{source.value}: {message}")
        return candidates, problems

    def _from_sweep(self, request: ScanRequest) -> list[Candidate]:
        found = self._sweep.open_ports(
            request.hosts, request.first_port, request.last_port, min(request.timeout, 0.5)
        )
        return [from_open_port(host, port) for host, port in found]

    def _from_records(self) -> list[Candidate]:
        found: list[Candidate] = []
        for record in self._records.list_all():
            found += from_service_record(record, live=self._live(record.pid))
        return found

    def _from_processes(self) -> list[Candidate]:
        found: list[Candidate] = []
        for process in self._processes.find("cloudflared"):
            tunnel = read_cloudflared(
                process.pid, process.argv, self._processes.output_text(process.pid)
            )
            if tunnel is not None:
                found += from_tunnel_process(tunnel)
        return found

    def _from_backend(self, timeout: float) -> list[Candidate]:
        assert self._backend is not None
        found: list[Candidate] = []
        for tunnel in self._backend.list_tunnels(timeout):
            found += from_backend_tunnel(tunnel)
        return found

    def _check(
        self, candidates: list[Candidate], request: ScanRequest
    ) -> tuple[list[DiscoveredApp], list[StaleRecord]]:
        key = request.api_key or None
        sends = [
            key is not None and may_send_key(c, send_anywhere=request.send_key_anywhere)
            for c in candidates
        ]
        probes = [
            ProbeRequest(c.url, key if send else None)
            for c, send in zip(candidates, sends, strict=True)
        ]
        results = self._probe.probe_all(probes, request.timeout) if probes else []
        apps: list[DiscoveredApp] = []
        stale: list[StaleRecord] = []
        for candidate, sent, result in zip(candidates, sends, results, strict=True):
            health, reason = classify(result, key_sent=sent, key_known=key is not None)
            if health is Health.UNREACHABLE and self._is_stale(candidate):
                if any(s.record_id == candidate.record_id for s in stale):
                    continue  # the other URL of the same tunnel record
                stale.append(
                    StaleRecord(
                        record_id=candidate.record_id or "",
                        url=candidate.url,
                        pid=candidate.record_pid,
                        source=candidate.via,
                        reason=f"pid {candidate.record_pid} is gone and {reason}",
                    )
                )
                continue
            apps.append(
                DiscoveredApp(
                    candidate=candidate,
                    health=health,
                    reason=reason,
                    metadata=metadata_of(result),
                    key_sent=sent,
                    response_ms=result.elapsed_ms,
                )
            )
        return apps, stale

    def _is_stale(self, candidate: Candidate) -> bool:
        """Stale: only records know a pid; a record whose pid no longer runs synth-ai."""
        if candidate.record_id is None or candidate.record_pid is None:
            return False
        return not self._live(candidate.record_pid)
