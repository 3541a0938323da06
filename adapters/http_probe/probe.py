"""``TaskAppProbe`` over httpx: ``GET /health`` and ``GET /info`` of every URL at once.

One ``httpx.AsyncClient`` per call, no proxies from the environment (a scan of loopback must
not go through ``HTTP_PROXY``), redirects not followed (a redirect must not carry the key
elsewhere). Tunnel hostnames are routed through ``EdgeOverrides`` when configured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from synth_ai.domain.discovery.model import HttpAnswer, ProbeRequest, ProbeResult
from synth_ai.domain.tunnels.model import EdgeOverrides

_MAX_BODY = 256 * 1024


class HttpxTaskAppProbe:
    def __init__(self, overrides: EdgeOverrides | None = None, *, max_connections: int = 64):
        self._overrides = overrides or EdgeOverrides()
        self._max_connections = max_connections

    def probe_all(self, requests: Sequence[ProbeRequest], timeout: float) -> list[ProbeResult]:
        if not requests:
            return []
        return asyncio.run(self._probe_all(list(requests), timeout))

    async def _probe_all(self, requests: list[ProbeRequest], timeout: float) -> list[ProbeResult]:
        import httpx

        limits = httpx.Limits(max_connections=self._max_connections, max_keepalive_connections=0)
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), limits=limits, trust_env=False, follow_redirects=False
        ) as client:
            return list(await asyncio.gather(*(self._probe(client, r, timeout) for r in requests)))

    async def _probe(self, client, request: ProbeRequest, timeout: float) -> ProbeResult:
        started = time.monotonic()
        health, info = await asyncio.gather(
            self._get(client, request, "/health", timeout),
            self._get(client, request, "/info", timeout),
        )
        elapsed = round((time.monotonic() - started) * 1000, 1)
        if isinstance(health, str):
            return ProbeResult(request.url, error=health, elapsed_ms=elapsed)
        return ProbeResult(
            request.url,
            health=health,
            info=info if isinstance(info, HttpAnswer) else None,
            elapsed_ms=elapsed,
        )

    async def _get(self, client, request: ProbeRequest, path: str, timeout: float):
        """An ``HttpAnswer``, or a string saying why there was none."""
        import httpx

        url, headers = self._overrides.route(request.url.rstrip("/") + path)
        if request.api_key:
            headers = {**headers, "X-API-Key": request.api_key}
        try:
            response = await asyncio.wait_for(client.get(url, headers=headers), timeout)
        except (TimeoutError, httpx.TimeoutException):
            return f"no answer within {timeout:g}s"
        except httpx.ConnectError as exc:
            return _connect_reason(exc)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return HttpAnswer(response.status_code, _json(response))


def _json(response) -> object:
    if len(response.content) > _MAX_BODY:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _connect_reason(exc: Exception) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    if "name or service not known" in text.lower() or "nodename nor servname" in text.lower():
        return "hostname does not resolve"
    return f"cannot connect: {text}" if text else "cannot connect"
