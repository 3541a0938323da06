"""``config_overrides``: dotted keys (``optimizer.rollouts``) or nested tables into a job's TOML.

Every key must address a key that exists in the file: a typo (``optimiser.rollouts``) is an
error at submit, not a silently ignored setting. Nested dicts are merged key by key.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


class UnknownOverrideKey(KeyError):
    def __init__(self, dotted: str, missing: str):
        super().__init__(dotted)
        self.dotted = dotted
        self.missing = missing


def flatten(overrides: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}, "c.d": 2}`` → ``{"a.b": 1, "c.d": 2}`` (dicts merge, leaves replace)."""
    flat: dict[str, Any] = {}
    for key, value in overrides.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def apply_overrides(config: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``config`` with each override set; raises ``UnknownOverrideKey``."""
    merged = copy.deepcopy(dict(config))
    for dotted, value in flatten(overrides).items():
        node: Any = merged
        parts = dotted.split(".")
        for depth, part in enumerate(parts):
            if not isinstance(node, dict) or part not in node:
                raise UnknownOverrideKey(dotted, ".".join(parts[: depth + 1]))
            if depth == len(parts) - 1:
                node[part] = copy.deepcopy(value)
            else:
                node = node[part]
    return merged
