"""Managed tunnels on the wire (``/api/v1/tunnels/``), for the route and the backend client.

``created_at`` stays seconds since the epoch here, as the route has always declared it.
"""

from __future__ import annotations

from typing import Any

import cattrs
from attrs import frozen
from cattrs.gen import make_dict_unstructure_fn
from cattrs.preconf.json import make_converter
from synth_ai.adapters.wire.strict import input_converter, structure_or_422
from synth_ai.domain.tunnels.model import TunnelRecord


@frozen
class CreateTunnel:
    local_port: int
    subdomain: str | None = None
    local_host: str = "127.0.0.1"


def _converter() -> cattrs.Converter:
    conv = input_converter()
    record_out = make_dict_unstructure_fn(TunnelRecord, conv)

    def record(r: TunnelRecord) -> dict[str, Any]:
        return {**record_out(r), "url": r.url}

    conv.register_unstructure_hook(TunnelRecord, record)
    return conv


_conv = _converter()
_lenient = make_converter()


def read_create(data: Any) -> CreateTunnel:
    """A ``POST`` body, or a 422 naming the bad field (``expected int @ $.local_port``)."""
    return structure_or_422(_conv, data, CreateTunnel)


def create_body(request: CreateTunnel) -> dict[str, Any]:
    return _conv.unstructure(request)


def record(r: TunnelRecord) -> dict[str, Any]:
    return _conv.unstructure(r, TunnelRecord)


def records(found: list[TunnelRecord], org_id: str) -> list[dict[str, Any]]:
    """``GET /api/v1/tunnels/``: a JSON list, as the public synth-ai client's
    ``fetch_managed_tunnels`` requires, each entry with the ``org_id`` it checks and a
    ``metadata`` object beside our own fields."""
    return [
        {
            **record(r),
            "org_id": org_id,
            "metadata": {"local_host": r.local_host, "local_port": r.local_port},
        }
        for r in found
    ]


def listed(body: Any) -> list[dict[str, Any]]:
    """The entries of a listing: the list itself, or (older servers) ``{"tunnels": [...]}``."""
    items = body.get("tunnels", []) if isinstance(body, dict) else body
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def record_from(document: dict[str, Any]) -> TunnelRecord:
    """A record a backend sent (its ``url`` and any newer field ignored)."""
    return _lenient.structure(document, TunnelRecord)
