"""Tunnels: kinds, records and the URL rules the cloudflared adapter and the backend share."""

from __future__ import annotations

import enum
import fnmatch
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from attrs import field, frozen
from synth_ai.domain.tunnels.errors import InvalidTunnel

QUICK_URL = re.compile(r"https://[a-z0-9-]+\.trycloudflare\.com")
_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class TunnelMode(enum.Enum):
    NONE = "none"
    QUICK = "quick"
    MANAGED = "managed"

    @classmethod
    def parse(cls, value: str | TunnelMode | None) -> TunnelMode:
        if isinstance(value, TunnelMode):
            return value
        try:
            return cls((value or "none").lower())
        except ValueError:
            raise InvalidTunnel(
                f"tunnel mode {value!r} is unknown — use none, quick or managed"
            ) from None


def validate_subdomain(value: str) -> str:
    value = (value or "").strip().lower()
    if not _SUBDOMAIN.match(value):
        raise InvalidTunnel(
            f"subdomain {value!r} is invalid — use 1-63 lowercase letters, digits or '-', "
            "not starting or ending with '-'"
        )
    return value


def validate_port(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
        raise InvalidTunnel(f"local_port {value!r} is invalid — use a port between 1 and 65535")
    return value


def origin_url(host: str, port: int) -> str:
    """The local URL a tunnel forwards to; an IPv6 address is bracketed (``http://[::1]:80``)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def find_quick_url(line: str) -> str | None:
    match = QUICK_URL.search(line)
    if match and not match.group(0).startswith("https://api."):
        return match.group(0)
    return None


def is_rate_limited(line: str) -> bool:
    lowered = line.lower()
    return (
        "429 too many requests" in lowered
        or "error code: 1015" in lowered
        or 'status_code="429' in lowered
        or "rate limit" in lowered
        and "trycloudflare" in lowered
    )


@frozen
class TunnelRecord:
    """A managed tunnel the backend issued."""

    id: str
    subdomain: str
    hostname: str
    local_host: str
    local_port: int
    tunnel_token: str
    status: str
    created_at: float
    cloudflare_tunnel_id: str = ""

    @property
    def url(self) -> str:
        return f"https://{self.hostname}"


# Typed converters: mypy cannot infer the item type of a bare ``converter=tuple``.
def _rules(items: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(items)


@frozen
class EdgeOverrides:
    """Where to send requests for tunnel hostnames instead of DNS (testing, private edges).

    ``{"*.trycloudflare.com": "http://127.0.0.1:9000"}``: a request for
    ``https://abc.trycloudflare.com/health`` goes to ``http://127.0.0.1:9000/health`` with
    ``Host: abc.trycloudflare.com``.
    """

    rules: tuple[tuple[str, str], ...] = field(factory=tuple, converter=_rules)

    @classmethod
    def parse(cls, value: str | dict[str, Any] | None) -> EdgeOverrides:
        if not value:
            return cls()
        if isinstance(value, dict):
            pairs = list(value.items())
        else:
            pairs = []
            for part in str(value).split(","):
                pattern, sep, target = part.strip().partition("=")
                if not sep or not pattern or not target:
                    raise InvalidTunnel(
                        f"tunnel resolve rule {part.strip()!r} is invalid — "
                        "write PATTERN=URL, e.g. *.trycloudflare.com=http://127.0.0.1:9000"
                    )
                pairs.append((pattern.strip(), target.strip()))
        for pattern, target in pairs:
            if not str(target).startswith(("http://", "https://")):
                raise InvalidTunnel(
                    f"tunnel resolve target {target!r} for {pattern!r} must be an http(s) URL"
                )
        return cls(tuple((str(p).lower(), str(t).rstrip("/")) for p, t in pairs))

    def route(self, url: str) -> tuple[str, dict[str, str]]:
        """The URL to request and the extra headers, for ``url``."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        for pattern, target in self.rules:
            if fnmatch.fnmatch(host, pattern):
                path = parts.path or "/"
                query = f"?{parts.query}" if parts.query else ""
                return f"{target}{path}{query}", {"Host": host}
        return url, {}
