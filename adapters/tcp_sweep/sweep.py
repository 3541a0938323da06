"""``PortSweep`` with asyncio: one non-blocking connect per (host, port), all at once.

A closed loopback port refuses at once, so an empty sweep of 8000-8100 on 127.0.0.1 and ::1
(202 connects) takes a few milliseconds; ``timeout`` only bounds ports that never answer.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence

_MAX_IN_FLIGHT = 512


class AsyncioPortSweep:
    def open_ports(
        self, hosts: Sequence[str], first: int, last: int, timeout: float
    ) -> list[tuple[str, int]]:
        targets = [
            (host, port) for host in hosts if _usable(host) for port in range(first, last + 1)
        ]
        if not targets:
            return []
        return asyncio.run(_sweep(targets, timeout))


def _family(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _usable(host: str) -> bool:
    """Whether this machine can open a socket to ``host`` (no IPv6 stack: skip ::1)."""
    try:
        with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
        return True
    except OSError:
        return False


async def _sweep(targets: list[tuple[str, int]], timeout: float) -> list[tuple[str, int]]:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(_MAX_IN_FLIGHT)

    async def attempt(host: str, port: int) -> tuple[str, int] | None:
        async with gate:
            sock = socket.socket(_family(host), socket.SOCK_STREAM)
            sock.setblocking(False)
            try:
                await asyncio.wait_for(loop.sock_connect(sock, (host, port)), timeout)
                if sock.getsockname()[:2] == sock.getpeername()[:2]:
                    return None  # a self-connect (source port == target port), nothing listens
                return host, port
            except (OSError, TimeoutError):
                return None
            finally:
                sock.close()

    found = await asyncio.gather(*(attempt(host, port) for host, port in targets))
    return [hit for hit in found if hit is not None]
