"""Serve a WSGI app with Waitress in a background thread, and stop it cleanly.

Waitress runs an asyncore-style loop over a socket map; the loop ends when the map is empty.
``close()`` asks the loop thread itself (through Waitress's trigger) to close every channel,
so nothing is closed from a foreign thread, then shuts the task dispatcher down.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading

log = logging.getLogger("synth_ai.waitress_host")


class PortInUse(OSError):
    def __init__(self, host: str, port: int):
        super().__init__(errno.EADDRINUSE, f"port {port} on {host} is already in use")
        self.host = host
        self.port = port


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def find_free_port(host: str = "127.0.0.1", start: int | None = None, attempts: int = 200) -> int:
    """The first free port from ``start`` upwards, or any free port when ``start`` is None."""
    if start is None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            return probe.getsockname()[1]
    for port in range(start, min(start + attempts, 65536)):
        if port_is_free(host, port):
            return port
    raise PortInUse(host, start)


class BackgroundServer:
    """A running Waitress server. ``BackgroundServer.start(app, host, port)`` returns once bound."""

    def __init__(self, server, thread: threading.Thread, host: str, port: int):
        self._server = server
        self._thread = thread
        self.host = host
        self.port = port
        self._closed = False

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @classmethod
    def start(
        cls,
        app,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        threads: int = 8,
        name: str = "waitress",
        **adjustments,
    ) -> BackgroundServer:
        from waitress.server import create_server

        try:
            server = create_server(
                app,
                host=host,
                port=port,
                threads=threads,
                ident="synth-ai",
                clear_untrusted_proxy_headers=True,
                **adjustments,
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(host, port) from exc
            raise
        bound_port = server.effective_port
        thread = threading.Thread(target=cls._run, args=(server,), name=name, daemon=True)
        thread.start()
        log.debug("waitress listening on %s:%s", host, bound_port)
        return cls(server, thread, host, bound_port)

    @staticmethod
    def _run(server) -> None:
        try:
            server.run()
        except OSError as exc:  # EBADF once channels are closed under select()
            if exc.errno not in (errno.EBADF, errno.EINVAL):
                raise

    def close(self, timeout: float = 5.0) -> None:
        if self._closed:
            return
        self._closed = True
        server = self._server
        socket_map = server._map

        def close_all() -> None:
            for channel in list(socket_map.values()):
                try:
                    channel.close()
                except OSError:
                    pass
            socket_map.clear()

        try:
            server.trigger.pull_trigger(close_all)
        except OSError:
            close_all()
        self._thread.join(timeout)
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=timeout)
        log.debug("waitress on port %s stopped", self.port)

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._closed

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
