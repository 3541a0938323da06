"""Sessions, reservations and ledger entries as JSON documents (shared by the stores).

The layout is the attrs field names, so the Redis Lua scripts can read and write the same
documents (``used``/``reserved``/``limits`` keys).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TypeVar

from cattrs.preconf.json import make_converter
from synth_ai.domain.sessions.model import Amounts, LedgerEntry, Limit, Reservation, Session

T = TypeVar("T")
_converter = make_converter()


def _limits(value, _type) -> tuple[Limit, ...]:
    # Lua's cjson encodes an empty list as {}: accept both.
    if isinstance(value, dict):
        value = list(value.values())
    return tuple(_converter.structure(item, Limit) for item in value)


def _metadata(value, _type) -> dict:
    return dict(value) if isinstance(value, dict) else {}


def _amounts(value, _type) -> Amounts:
    value = value or {}
    return Amounts(
        tokens=int(round(value.get("tokens", 0) or 0)),
        cost_usd=float(value.get("cost_usd", 0) or 0),
        gpu_hours=float(value.get("gpu_hours", 0) or 0),
        api_calls=int(round(value.get("api_calls", 0) or 0)),
    )


_converter.register_structure_hook_func(lambda t: t == tuple[Limit, ...], _limits)
_converter.register_structure_hook(dict, _metadata)
_converter.register_structure_hook(Amounts, _amounts)


def to_doc(obj) -> dict:
    return _converter.unstructure(obj)


def dumps(obj) -> str:
    return json.dumps(to_doc(obj), separators=(",", ":"))


def from_doc(doc: dict | str | bytes, cls: type[T]) -> T:
    if isinstance(doc, bytes | str):
        doc = json.loads(doc)
    return _converter.structure(doc, cls)


def session(doc) -> Session:
    return from_doc(doc, Session)


def reservation(doc) -> Reservation:
    return from_doc(doc, Reservation)


def entry(doc) -> LedgerEntry:
    return from_doc(doc, LedgerEntry)


def oldest_first(reservations: Iterable[Reservation]) -> list[Reservation]:
    """The order every store's ``held_reservations`` answers in."""
    return sorted(reservations, key=lambda r: (r.created_at, r.id))
