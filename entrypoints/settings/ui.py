"""``[ui]`` settings: the dashboard's sign-in tokens, its live streams, and the task-app scan
behind ``GET /api/task-apps`` (its ports, read like ``synth-ai scan --port-range``, and cache)."""

from __future__ import annotations

from attrs import fields, frozen
from synth_ai.domain.discovery.errors import InvalidScanRequest
from synth_ai.domain.discovery.model import ScanRequest
from synth_ai.domain.discovery.rules import parse_port_range
from synth_ai.settings.config import Settings
from synth_ai.settings.validation import NumberSource

_SCAN = fields(ScanRequest)
DEFAULT_SCAN_PORTS = (_SCAN.first_port.default, _SCAN.last_port.default)  # as 'synth-ai scan'


@frozen
class UiSettings:
    token_ttl_s: float = 600.0  # how long a token from 'synth-ai ui' is accepted
    events_poll_s: float = 0.5  # how often an experiment stream looks for changes
    events_keepalive_s: float = 15.0  # a comment line this often while nothing changes
    events_max_s: float = 120.0  # a stream ends after this long; the page reconnects
    scan_cache_s: float = 5.0  # GET /api/task-apps answers from a scan this recent
    scan_ports: tuple[int, int] = DEFAULT_SCAN_PORTS  # the local ports that scan sweeps

    @classmethod
    def from_settings(cls, settings: Settings) -> UiSettings:
        numbers = NumberSource({}, settings.section("ui"), "ui", settings.config_path)
        return cls(
            token_ttl_s=numbers.read("token_ttl_s", 600.0, low=1, high=7 * 24 * 3600),
            events_poll_s=numbers.read("events_poll_s", 0.5, low=0.05, high=60),
            events_keepalive_s=numbers.read("events_keepalive_s", 15.0, low=0.1, high=300),
            events_max_s=numbers.read("events_max_s", 120.0, low=0.1, high=3600),
            scan_cache_s=numbers.read("scan_cache_s", 5.0, low=0, high=3600),
            scan_ports=_scan_ports(settings),
        )


def _scan_ports(settings: Settings) -> tuple[int, int]:
    raw = settings.section("ui").get("scan_ports")
    if raw is None:
        return DEFAULT_SCAN_PORTS
    where = f"[ui] scan_ports = {raw!r} in {settings.config_path}"
    if not isinstance(raw, str):
        raise InvalidScanRequest(f'{where} is not a range — write "START:END", e.g. "8000:8100"')
    return parse_port_range(raw, where)
