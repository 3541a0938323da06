"""A stand-in for the ``cloudflared`` binary (stdlib only), run through ``tests/support/bin/cloudflared``.

It accepts the real arguments and prints cloudflared-style log lines on stderr:

- ``cloudflared tunnel --no-autoupdate --url http://127.0.0.1:PORT``: a quick tunnel; prints
  the ``https://<random>.trycloudflare.com`` banner.
- ``cloudflared tunnel --no-autoupdate run`` with the token in ``TUNNEL_TOKEN``, or
  ``… run --token T`` (both work with the real cloudflared): a managed tunnel; decodes the token
  (base64 JSON ``{"a", "t", "s"}`` like Cloudflare's), fetches the tunnel's ingress from the
  stand-in Cloudflare API (``FAKE_CLOUDFLARE_API_URL``).

Traffic really flows through this process: it listens on a local port, forwards every request
to the origin, and registers ``hostname → that port`` with the fake edge
(``FAKE_CLOUDFLARED_EDGE``), which routes by ``Host`` like Cloudflare's edge.
``FAKE_CLOUDFLARED_RATE_LIMIT=1`` makes it fail like a rate-limited quick tunnel (429 / 1015);
``FAKE_CLOUDFLARED_SILENT=1`` makes it hang without printing a URL. With
``FAKE_CLOUDFLARED_PID_DIR`` set, every run leaves a file named by its pid there, so a test can
check by PID that no cloudflared it caused is still running.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import signal
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

WORDS = ["amber", "basin", "cedar", "delta", "ember", "fjord", "grove", "harbor", "island", "jade"]


def log(level: str, message: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sys.stderr.write(f"{stamp} {level} {message}\n")
    sys.stderr.flush()


def fail(message: str, code: int = 1) -> None:
    log("ERR", message)
    sys.exit(code)


def make_proxy(routes: dict[str, str]) -> ThreadingHTTPServer:
    """Forward every request to ``routes[Host]`` (or ``routes['*']``)."""

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _forward(self) -> None:
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            target = routes.get(host) or routes.get("*")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if not target:
                self._reply(404, b"no ingress rule matches " + host.encode())
                return
            parts = urlsplit(target)
            headers = {
                k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
            }
            headers["Host"] = parts.netloc
            try:
                conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
                conn.request(self.command, self.path, body=body, headers=headers)
                upstream = conn.getresponse()
                data = upstream.read()
                conn.close()
            except OSError as exc:
                log("ERR", f'Request failed error="{exc}" dest={target}{self.path}')
                self._reply(502, b"bad gateway: origin unreachable")
                return
            self.send_response(upstream.status)
            for key, value in upstream.getheaders():
                if key.lower() not in (
                    "content-length",
                    "connection",
                    "transfer-encoding",
                    "date",
                    "server",
                ):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _reply(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def edge_call(path: str, payload: dict) -> None:
    edge = os.environ.get("FAKE_CLOUDFLARED_EDGE")
    if not edge:
        fail("failed to connect to the edge: FAKE_CLOUDFLARED_EDGE is not set")
    request = urllib.request.Request(
        edge.rstrip("/") + path,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5).read()


def quick(origin: str) -> list[str]:
    log("INF", "Requesting new quick Tunnel on trycloudflare.com...")
    if os.environ.get("FAKE_CLOUDFLARED_SILENT"):
        signal.pause()  # no URL, ever; SIGTERM ends it
    if os.environ.get("FAKE_CLOUDFLARED_RATE_LIMIT"):
        fail(
            "Error unmarshaling QuickTunnel response: error code: 1015 error=\"invalid character 'e' "
            'looking for beginning of value" status_code="429 Too Many Requests"'
        )
    name = "-".join(secrets.choice(WORDS) for _ in range(3)) + "-" + secrets.token_hex(3)
    url = f"https://{name}.trycloudflare.com"
    proxy = make_proxy({"*": origin})
    edge_call(
        "/_edge/register",
        {
            "hostname": f"{name}.trycloudflare.com",
            "target": f"http://127.0.0.1:{proxy.server_address[1]}",
        },
    )
    border = "+" + "-" * 92 + "+"
    log("INF", border)
    log(
        "INF",
        "|  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |",
    )
    log("INF", f"|  {url:<88}  |")
    log("INF", border)
    log("INF", f"Starting metrics server on 127.0.0.1:{proxy.server_address[1]}/metrics")
    return [f"{name}.trycloudflare.com"]


def managed(token: str) -> list[str]:
    try:
        claims = json.loads(base64.b64decode(token))
        account, tunnel_id = claims["a"], claims["t"]
    except (ValueError, KeyError, TypeError):
        fail("Provided Tunnel token is not valid.")
    api = os.environ.get("FAKE_CLOUDFLARE_API_URL")
    if not api:
        fail("failed to fetch remote configuration: FAKE_CLOUDFLARE_API_URL is not set")
    request = urllib.request.Request(
        f"{api.rstrip('/')}/accounts/{account}/cfd_tunnel/{tunnel_id}/configurations",
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        config = json.loads(urllib.request.urlopen(request, timeout=5).read())["result"]["config"]
    except OSError as exc:
        fail(f"Unauthorized: Tunnel not found or token rejected ({exc})")
    routes = {
        rule["hostname"].lower(): rule["service"]
        for rule in config.get("ingress", [])
        if rule.get("hostname")
    }
    proxy = make_proxy(routes)
    log("INF", f'Updated to new configuration config="{json.dumps(config)}" version=1')
    for hostname in routes:
        edge_call(
            "/_edge/register",
            {"hostname": hostname, "target": f"http://127.0.0.1:{proxy.server_address[1]}"},
        )
    return list(routes)


def record_pid() -> None:
    folder = os.environ.get("FAKE_CLOUDFLARED_PID_DIR")
    if folder:
        with open(os.path.join(folder, str(os.getpid())), "w") as handle:
            handle.write(" ".join(sys.argv))


def main(argv: list[str]) -> None:
    record_pid()
    if argv[:1] == ["--version"] or argv[:1] == ["version"]:
        print("cloudflared version 2024.8.2 (stand-in)")
        return
    args = [a for a in argv if a != "--no-autoupdate"]
    if args[:1] != ["tunnel"]:
        fail(f"Incorrect Usage: unknown command {' '.join(argv)!r}")
    args = args[1:]
    log(
        "INF",
        "Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick "
        "way to experiment and try it out.",
    )
    if args[:1] == ["--url"] and len(args) == 2:
        hostnames = quick(args[1])
    elif args[:2] == ["run", "--token"] and len(args) == 3:
        hostnames = managed(args[2])
    elif args == ["run"] and os.environ.get("TUNNEL_TOKEN"):
        hostnames = managed(os.environ["TUNNEL_TOKEN"])
    elif args == ["run"]:
        fail('"cloudflared tunnel run" requires the ID or name of the tunnel to run or a token')
    else:
        fail(f"Incorrect Usage: unsupported tunnel arguments {' '.join(argv)!r}")
    stop = threading.Event()

    def on_signal(signum, frame) -> None:
        log(
            "INF",
            f"Initiating graceful shutdown due to signal {signal.Signals(signum).name.lower()[3:]} ...",
        )
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log(
        "INF",
        f"Registered tunnel connection connIndex=0 connection={secrets.token_hex(8)} event=0 "
        "ip=198.41.200.13 location=sjc07 protocol=quic",
    )
    while not stop.wait(0.2):
        pass
    for hostname in hostnames:
        try:
            edge_call("/_edge/unregister", {"hostname": hostname})
        except OSError:
            pass
    time.sleep(0.05)
    log("INF", "Tunnel server stopped")


if __name__ == "__main__":
    main(sys.argv[1:])
