"""``PortSweep`` and ``TaskAppProbe``: the same assertions for the real adapters (real sockets,
real HTTP servers) and for the fakes the unit tests use."""

from __future__ import annotations

import abc
import json
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from synth_ai.adapters.http_probe import HttpxTaskAppProbe
from synth_ai.adapters.tcp_sweep import AsyncioPortSweep
from synth_ai.domain.discovery.model import ProbeRequest

from tests.fakes.discovery import FakePortSweep, ScriptedProbe

KEY = "sk-contract-key"
INFO = {"service": {"task": {"id": "arith", "version": "1.0"}}, "dataset": {"id": "d"}}


# -- PortSweep --------------------------------------------------------------------------------
class PortSweepContract(abc.ABC):
    @abc.abstractmethod
    def make(self, listening: list[tuple[str, int]]):
        """A sweep that sees exactly ``listening`` open (plus whatever else this machine has)."""

    @abc.abstractmethod
    def free_ports(self, count: int) -> list[int]: ...

    def test_open_ports_are_found_on_each_host_and_closed_ones_are_not(self):
        first, second, closed = self.free_ports(3)
        sweep = self.make([("127.0.0.1", first), ("::1", second)])
        found = sweep.open_ports(
            ("127.0.0.1", "::1"), min(first, second, closed), max(first, second, closed), 0.5
        )
        assert ("127.0.0.1", first) in found and ("::1", second) in found
        assert ("127.0.0.1", closed) not in found and ("::1", closed) not in found

    def test_only_the_requested_range_and_hosts_are_swept(self):
        inside, outside = self.free_ports(2)
        sweep = self.make([("127.0.0.1", inside), ("127.0.0.1", outside)])
        assert sweep.open_ports(("127.0.0.1",), inside, inside, 0.5) == [("127.0.0.1", inside)]
        assert sweep.open_ports(("::1",), inside, inside, 0.5) == []


class Listeners:
    def __init__(self):
        self.sockets: list[socket.socket] = []

    def listen(self, host: str, port: int) -> None:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.bind((host, port))
        sock.listen(16)
        self.sockets.append(sock)

    def close(self):
        for sock in self.sockets:
            sock.close()


def free_ports(count: int) -> list[int]:
    """Consecutive ports free on both loopbacks, below the ephemeral range."""
    for _ in range(200):
        base = random.randrange(20000, 30000 - count)
        ports = list(range(base, base + count))
        if all(_free("127.0.0.1", p) and _free("::1", p) for p in ports):
            return ports
    raise AssertionError("no block of free ports between 20000 and 30000")


def _free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) != 0


class TestAsyncioPortSweep(PortSweepContract):
    @pytest.fixture(autouse=True)
    def _listeners(self):
        self.listeners = Listeners()
        yield
        self.listeners.close()

    def make(self, listening):
        for host, port in listening:
            self.listeners.listen(host, port)
        return AsyncioPortSweep()

    def free_ports(self, count):
        return free_ports(count)


class TestFakePortSweep(PortSweepContract):
    def make(self, listening):
        return FakePortSweep(set(listening))

    def free_ports(self, count):
        return list(range(40000, 40000 + count))


# -- TaskAppProbe -----------------------------------------------------------------------------
class TaskAppProbeContract(abc.ABC):
    @abc.abstractmethod
    def make(self):
        """A world with ``probe``, ``task_app(key) -> url`` (its /info needs ``key``),
        ``plain() -> url`` (404 everywhere), ``closed() -> url``, ``not_http() -> url``."""

    @pytest.fixture
    def world(self):
        made = self.make()
        yield made
        made.close()

    def test_a_task_app_answers_health_and_info_with_json(self, world):
        url = world.task_app(KEY)
        [result] = world.probe.probe_all([ProbeRequest(url, KEY)], 2.0)
        assert result.health.status == 200 and result.health.body["healthy"] is True
        assert result.info.status == 200 and result.info.body["service"]["task"]["id"] == "arith"
        assert result.error is None

    def test_without_the_key_info_answers_401(self, world):
        url = world.task_app(KEY)
        [result] = world.probe.probe_all([ProbeRequest(url, None)], 2.0)
        assert result.health.status == 200 and result.info.status == 401

    def test_failures_are_results_in_request_order_not_exceptions(self, world):
        urls = [world.closed(), world.plain(), world.not_http()]
        closed, plain, other = world.probe.probe_all([ProbeRequest(u) for u in urls], 2.0)
        assert [r.url for r in (closed, plain, other)] == urls
        assert closed.health is None and closed.error == "connection refused"
        assert not closed.not_http
        assert plain.health.status == 404 and plain.info.status == 404
        assert other.health is None and other.not_http

    def test_nothing_to_probe_is_an_empty_list(self, world):
        assert world.probe.probe_all([], 2.0) == []


class TinyServers:
    """Real HTTP servers on threads (a task app, a plain server) and a raw TCP one."""

    def __init__(self):
        self.servers: list[ThreadingHTTPServer] = []
        self.raw: list[socket.socket] = []
        self.probe = HttpxTaskAppProbe()

    def _serve(self, handler) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    def task_app(self, key):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/health":
                    self._send(200, {"healthy": True})
                elif self.path == "/info" and self.headers.get("X-API-Key") == key:
                    self._send(200, INFO)
                else:
                    self._send(401, {"error": {"message": "missing API key"}})

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return self._serve(Handler)

    def plain(self):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_error(404)

        return self._serve(Handler)

    def closed(self):
        return f"http://127.0.0.1:{free_ports(1)[0]}"

    def not_http(self):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        self.raw.append(sock)

        def answer():
            while True:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    return
                conn.recv(1024)
                conn.sendall(b"-ERR unknown command\r\n")
                conn.close()

        threading.Thread(target=answer, daemon=True).start()
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    def close(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for sock in self.raw:
            sock.close()


class ScriptedServers:
    def __init__(self):
        self.probe = ScriptedProbe()
        self._ports = iter(range(41000, 42000))

    def _url(self):
        return f"http://127.0.0.1:{next(self._ports)}"

    def task_app(self, key):
        url = self._url()
        self.probe.answer(url, health=(200, {"healthy": True}), info=(200, INFO))
        self.probe.key_required[url] = key
        return url

    def plain(self):
        url = self._url()
        self.probe.answer(url, health=(404, None), info=(404, None))
        return url

    def closed(self):
        return self._url()

    def not_http(self):
        url = self._url()
        self.probe.answer(url, health=None, info=None, error="it closed the connection")
        self.probe.not_http.add(url)
        return url

    def close(self):
        pass


class TestHttpxTaskAppProbe(TaskAppProbeContract):
    def make(self):
        return TinyServers()

    def test_each_check_is_bounded_by_the_timeout(self):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)  # accepts (in the backlog) and never answers
        try:
            started = time.monotonic()
            [result] = HttpxTaskAppProbe().probe_all(
                [ProbeRequest(f"http://127.0.0.1:{sock.getsockname()[1]}")], 0.3
            )
            assert time.monotonic() - started < 2.0
            assert result.health is None and "within 0.3s" in result.error
        finally:
            sock.close()

    def test_the_key_is_sent_only_when_the_request_carries_it(self):
        seen: list[str | None] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                seen.append(self.headers.get("X-API-Key"))
                self.send_response(204)
                self.end_headers()

        servers = TinyServers()
        try:
            url = servers._serve(Handler)
            servers.probe.probe_all([ProbeRequest(url, None)], 2.0)
            assert seen == [None, None]
            servers.probe.probe_all([ProbeRequest(url, KEY)], 2.0)
            assert seen[2:] == [KEY, KEY]
        finally:
            servers.close()


class TestScriptedProbe(TaskAppProbeContract):
    def make(self):
        return ScriptedServers()
