"""Checking an implementation (adapter or fake) against the Protocol of its port."""

from __future__ import annotations

import inspect


def port_mismatches(candidate: object, port: type) -> list[str]:
    """What ``candidate`` lacks or spells differently: each method the port declares must exist
    with the same parameter names and kinds (positional, keyword-only …), each declared
    attribute must be present."""
    problems = []
    for name, member in vars(port).items():
        if name.startswith("_") or not callable(member):
            continue
        found = getattr(candidate, name, None)
        if not callable(found):
            problems.append(f"missing method {name}()")
            continue
        want = _shape(member, drop_self=True)
        have = _shape(found, drop_self=False)
        if want != have:
            problems.append(f"{name}{have} differs from the port's {name}{want}")
    for name in getattr(port, "__annotations__", {}):
        if not name.startswith("_") and not hasattr(candidate, name):
            problems.append(f"missing attribute {name}")
    return problems


def _shape(function, *, drop_self: bool) -> list[tuple[str, str]]:
    parameters = list(inspect.signature(function).parameters.values())
    if drop_self:
        parameters = parameters[1:]
    return [(p.name, p.kind.name) for p in parameters if p.kind not in (p.VAR_KEYWORD,)]
