"""A TCP proxy on 127.0.0.1 that delays every chunk by half a round trip each way, so a bench
can show what a store costs when its server is across a network rather than on loopback.

Each chunk is forwarded ``rtt / 2`` after it arrived (chunks in flight together are delayed
together, as on a wire), so a request/response exchange pays one ``rtt``, and statements sent
without waiting for each other's answers (pipelined) pay it once. Bounded: it serves until
``close()`` and only ever connects to the one upstream address it was given.
"""

from __future__ import annotations

import queue
import socket
import threading
import time


class LatencyProxy:
    def __init__(self, upstream: tuple[str, int], rtt_ms: float):
        self._upstream = upstream
        self._delay = rtt_ms / 2000.0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, name="latency-proxy", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self._upstream)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._sockets.append(sock)
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        """Read as chunks arrive; a second thread sends each one when its delay is over."""
        due: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()
        threading.Thread(target=self._send, args=(due, target), daemon=True).start()
        try:
            while chunk := source.recv(65536):
                due.put((time.monotonic() + self._delay, chunk))
        except OSError:
            pass
        due.put((0.0, b""))

    @staticmethod
    def _send(due: queue.SimpleQueue[tuple[float, bytes]], target: socket.socket) -> None:
        try:
            while True:
                at, chunk = due.get()
                if not chunk:
                    break
                time.sleep(max(0.0, at - time.monotonic()))
                target.sendall(chunk)
        except OSError:
            pass
        try:
            target.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for sock in self._sockets:
            sock.close()
