"""Structuring a client's JSON with a strict cattrs converter, failures as one 422."""

from __future__ import annotations

from typing import Any, TypeVar

import cattrs
from synth_ai.domain.errors import ValidationFailed

T = TypeVar("T")


def structure_or_422(converter: cattrs.Converter, data: Any, cls: type[T]) -> T:
    """``data`` as ``cls``, or ``ValidationFailed`` with messages like ``expected int @ $.x``
    and the first such path as its ``param``."""
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        messages = (
            cattrs.transform_error(exc)
            if isinstance(exc, cattrs.BaseValidationError)
            else [str(exc)]
        )
        path = next((m.rsplit(" @ ", 1)[1] for m in messages if " @ " in m), None)
        raise ValidationFailed("invalid request: " + "; ".join(messages), param=path) from exc
