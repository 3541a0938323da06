"""``TaskAppProbe`` over httpx: ``GET /health`` and ``GET /info`` of every URL at once.

One ``httpx.AsyncClient`` per call, no proxies from the environment (a scan of loopback must
not go through ``HTTP_PROXY``), redirects not followed (a redirect must not carry the key
elsewhere). Tunnel hostnames are routed through ``EdgeOverrides`` when configured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from attrs import frozen
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
        if isinstance(health, _Failure):
            return ProbeResult(
                request.url, error=health.reason, elapsed_ms=elapsed, not_http=health.not_http
            )
        return ProbeResult(
            request.url,
            health=health,
            info=info if isinstance(info, HttpAnswer) else None,
            elapsed_ms=elapsed,
        )

    async def _get(self, client, request: ProbeRequest, path: str, timeout: float):
        """An ``HttpAnswer``, or a ``_Failure`` saying why there was none."""
        import httpx

        url, headers = self._overrides.route(request.url.rstrip("/") + path)
        if request.api_key:
            headers = {**headers, "X-API-Key": request.api_key}
        try:
            response = await asyncio.wait_for(client.get(url, headers=headers), timeout)
        except (TimeoutError, httpx.ConnectTimeout, httpx.PoolTimeout):
            return _Failure(f"no answer within {timeout:g}s")
        except httpx.TimeoutException:  # connected, but no HTTP answer in time
            return _Failure(f"no HTTP answer within {timeout:g}s")
        except httpx.ConnectError as exc:
            return _Failure(_connect_reason(exc))
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            return _Failure(_first_line(exc) or "it closed the connection", not_http=True)
        except httpx.HTTPError as exc:
            return _Failure(f"{type(exc).__name__}: {_first_line(exc)}".rstrip(": "))
        return HttpAnswer(response.status_code, _json(response))


@frozen
class _Failure:
    reason: str
    not_http: bool = False


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else ""


def _json(response) -> object:
    if len(response.content) > _MAX_BODY:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _connect_reason(exc: BaseException) -> str:
    """httpx's async backend says "All connection attempts failed"; the cause says why."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or "refused" in str(seen).lower():
            return "connection refused"
        text = str(seen).lower()
        if "name or service not known" in text or "nodename nor servname" in text:
            return "hostname does not resolve"
        seen = seen.__cause__ or seen.__context__
    return f"cannot connect: {_first_line(exc)}" if str(exc) else "cannot connect"
