"""Reading request bodies at the edge: JSON → attrs classes with cattrs, errors with paths."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import cattrs
import falcon
from cattrs.preconf.json import make_converter
from synth_ai.domain.errors import InvalidInput, ValidationFailed

T = TypeVar("T")

strict = make_converter(forbid_extra_keys=True)
lenient = make_converter()


def read_json(req, *, required: bool = True) -> Any:
    """The request body as JSON, or a 400 that says what was wrong with it."""
    raw = req.bounded_stream.read()
    if not raw:
        if required:
            raise InvalidInput("request body is empty — send a JSON object", code="empty_body")
        return {}
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except _NonFinite as exc:
        raise InvalidInput(
            f"request body holds {exc}: JSON has no NaN or infinity (inf) — send a finite "
            "number or null",
            code="malformed_json",
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"request body is not valid JSON: {exc}", code="malformed_json") from exc


class _NonFinite(ValueError):
    pass


def _refuse_constant(token: str):
    raise _NonFinite(token)


def read_object(req, *, required: bool = True) -> dict:
    body = read_json(req, required=required)
    if not isinstance(body, dict):
        raise InvalidInput(
            f"request body must be a JSON object, got {type(body).__name__}", code="invalid_body"
        )
    return body


def structure(data: Any, cls: type[T], *, forbid_extra: bool = True) -> T:
    """cattrs structuring with ``transform_error`` messages such as ``expected int @ $.x``."""
    converter = strict if forbid_extra else lenient
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            messages = cattrs.transform_error(exc)
        else:
            messages = [str(exc)]
        raise ValidationFailed(
            "invalid request: " + "; ".join(messages), param=_first_path(messages)
        ) from exc


def _first_path(messages: list[str]) -> str | None:
    for message in messages:
        if " @ " in message:
            return message.rsplit(" @ ", 1)[1]
    return None


def send_json(resp, data: Any, status: int = 200) -> None:
    resp.status = falcon.code_to_http_status(status)
    resp.content_type = falcon.MEDIA_JSON
    resp.text = json.dumps(data, default=str)


def query_int(req, name: str, default: int, *, minimum: int = 0, maximum: int = 10_000) -> int:
    raw = req.get_param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(
            f"query parameter '{name}' must be an integer, got {raw!r}", param=name
        ) from None
    if not minimum <= value <= maximum:
        raise InvalidInput(
            f"query parameter '{name}' must be between {minimum} and {maximum}, got {value}",
            param=name,
        )
    return value
