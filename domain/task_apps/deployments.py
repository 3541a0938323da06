"""Records of running task-app deployments (``~/.synth-ai/services.json``), read by ``scan``."""

from __future__ import annotations

import enum

from attrs import field, frozen, validators


class ServiceKind(enum.Enum):
    LOCAL = "local"
    TUNNEL = "tunnel"


@frozen
class ServiceRecord:
    id: str = field(validator=validators.min_len(1))
    url: str
    port: int
    type: ServiceKind = field(converter=ServiceKind)
    pid: int
    created_at: float
    local_url: str = ""
    hostname: str | None = None
    task_app_path: str | None = None
    app_id: str | None = None
    tunnel_mode: str = "none"
    tunnel_pid: int | None = None
    log_path: str | None = None
