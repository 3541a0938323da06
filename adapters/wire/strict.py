"""Structuring a client's JSON with a strict cattrs converter, failures as one 422.

``input_converter()`` is the converter for every request body: unknown keys are refused and
scalars are taken as JSON typed them — no ``false`` read as ``0.0``, no ``{}`` read as the
string ``"{}"``, no ``"5"`` read as ``5`` — so a body the OpenAPI document calls invalid is
never quietly accepted.
"""

from __future__ import annotations

from typing import Any, TypeVar, get_origin

import cattrs
from cattrs.cols import list_structure_factory, mapping_structure_factory
from cattrs.preconf.json import make_converter
from cattrs.v import format_exception
from synth_ai.domain.errors import ValidationFailed

T = TypeVar("T")

# What JSON value each scalar type of a request class accepts (a bool is never a number).
_ACCEPTS: dict[type, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
}


class _WrongType(TypeError):
    pass


def input_converter() -> cattrs.Converter:
    """A converter for request bodies: extra keys refused, values of exactly their JSON type
    (an integral number such as ``2.0`` is an integer, as JSON Schema says)."""
    converter = make_converter(forbid_extra_keys=True)
    for kind, accepted in _ACCEPTS.items():
        converter.register_structure_hook(kind, _exactly(kind, accepted))
    converter.register_structure_hook_factory(
        lambda t: t is list or get_origin(t) is list,
        _container(list, "a list", list_structure_factory),
    )
    converter.register_structure_hook_factory(
        lambda t: t is dict or get_origin(t) is dict,
        _container(dict, "an object", mapping_structure_factory),
    )
    return converter


def _container(kind: type, name: str, factory):
    def make(cls: type, converter: cattrs.Converter):
        inner = factory(cls, converter)

        def structure(value: Any, target: type) -> Any:
            if not isinstance(value, kind):
                raise _WrongType(f"expected {name}, got {type(value).__name__} {value!r}"[:200])
            return inner(value, target)

        return structure

    return make


def _exactly(kind: type, accepted: tuple[type, ...]):
    name = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}[kind]

    def structure(value: Any, _: type) -> Any:
        if kind is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, accepted) or (kind is not bool and isinstance(value, bool)):
            raise _WrongType(f"expected {name}, got {type(value).__name__} {value!r}")
        return kind(value)

    return structure


def _message(exc: BaseException, kind: type | None) -> str:
    if isinstance(exc, _WrongType):
        return str(exc)
    return format_exception(exc, kind)


def structure_or_422(converter: cattrs.Converter, data: Any, cls: type[T]) -> T:
    """``data`` as ``cls``, or ``ValidationFailed`` with messages like ``expected int @ $.x``
    and the first such path as its ``param``."""
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        messages = (
            cattrs.transform_error(exc, format_exception=_message)
            if isinstance(exc, cattrs.BaseValidationError)
            else [str(exc)]
        )
        path = next((m.rsplit(" @ ", 1)[1] for m in messages if " @ " in m), None)
        raise ValidationFailed("invalid request: " + "; ".join(messages), param=path) from exc
