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
        bound_port = int(server.effective_port)
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
        """Stop accepting, let requests in flight finish (up to ``timeout``), then close.

        The order matters: a worker thread finishing a request pulls Waitress's trigger to wake
        the loop, so the trigger and the channels are closed only after the workers drained.
        """
        if self._closed:
            return
        self._closed = True
        server = self._server
        socket_map = server._map

        def stop_accepting() -> None:
            server.accepting = False
            server.del_channel()
            try:
                server.socket.close()
            except OSError:
                pass

        def close_all() -> None:
            for channel in list(socket_map.values()):
                flush = getattr(channel, "_flush_some", None)
                if flush is not None and getattr(channel, "total_outbufs_len", 0):
                    try:
                        flush()
                    except OSError:
                        pass
                try:
                    channel.close()
                except OSError:
                    pass
            socket_map.clear()

        self._in_loop(stop_accepting, timeout)
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=timeout)
        self._in_loop(lambda: None, timeout)  # one more loop turn flushes what the workers wrote
        self._in_loop(close_all, timeout)
        self._thread.join(timeout)
        log.debug("waitress on port %s stopped", self.port)

    def _in_loop(self, thunk, timeout: float) -> None:
        """Run ``thunk`` on the server's loop thread and wait for it (bounded)."""
        done = threading.Event()

        def run() -> None:
            try:
                thunk()
            finally:
                done.set()

        if not self._thread.is_alive():
            run()
            return
        try:
            self._server.trigger.pull_trigger(run)
        except OSError:
            run()
            return
        done.wait(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._closed

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
