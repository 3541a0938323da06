"""BackgroundServer: Waitress in a thread, stopped cleanly even with requests in flight."""

import socket
import threading
import time

import httpx
import pytest
from synth_ai.adapters.waitress_host import (
    BackgroundServer,
    PortInUse,
    find_free_port,
    port_is_free,
)


def slow_app(environ, start_response):
    time.sleep(float(environ.get("QUERY_STRING", "").partition("=")[2] or 0))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"done"]


def test_close_waits_for_an_in_flight_request_and_raises_nothing_in_worker_threads():
    errors = []
    previous = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)
    arrived = threading.Event()

    def app(environ, start_response):
        arrived.set()
        return slow_app(environ, start_response)

    try:
        server = BackgroundServer.start(app, "127.0.0.1", 0, threads=2)
        result = {}

        def call():
            result["response"] = httpx.get(f"{server.url}/?sleep=0.4", timeout=5)

        caller = threading.Thread(target=call)
        caller.start()
        # Close only once the request runs on a worker thread (a fixed sleep raced on a busy
        # machine: the connection came after close and was refused).
        assert arrived.wait(10)
        server.close(timeout=5)
        caller.join(5)
    finally:
        threading.excepthook = previous
    assert errors == []
    assert result["response"].status_code == 200 and result["response"].text == "done"
    assert not server.running


def test_after_close_the_port_is_free_and_new_connections_are_refused():
    server = BackgroundServer.start(slow_app, "127.0.0.1", 0)
    assert httpx.get(server.url).status_code == 200
    server.close()
    assert port_is_free("127.0.0.1", server.port)
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url, timeout=2)


def test_a_busy_port_is_a_named_error_and_the_next_free_port_is_found():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        with pytest.raises(PortInUse):
            BackgroundServer.start(slow_app, "127.0.0.1", busy)
        assert find_free_port("127.0.0.1", busy) > busy
