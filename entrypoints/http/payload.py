"""Reading request bodies at the edge: JSON → attrs classes with cattrs, errors with paths."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import falcon
from attrs import frozen
from cattrs.preconf.json import make_converter
from synth_ai.adapters.wire.strict import input_converter, structure_or_422
from synth_ai.domain.errors import InvalidInput
from synth_ai.http.limits import RequestLimits, too_large

T = TypeVar("T")

strict = input_converter()
lenient = make_converter()


def read_json(req, *, required: bool = True) -> Any:
    """The request body as JSON, or a 400/413 that says what was wrong with it.

    The body must be UTF-8 without a byte-order mark, within the size cap, nested at most
    ``max_depth`` deep, free of lone surrogates, and each ``metadata`` within its cap
    (``synth_ai.http.limits``).
    """
    limits = getattr(req.context, "limits", None) or RequestLimits()
    raw = req.bounded_stream.read(limits.max_body_bytes + 1)
    if len(raw) > limits.max_body_bytes:
        raise too_large(len(raw), limits.max_body_bytes)
    if not raw:
        if required:
            raise InvalidInput("request body is empty — send a JSON object", code="empty_body")
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"request body is not UTF-8 ({exc.reason} at byte {exc.start}) — send JSON as UTF-8",
            code="malformed_json",
        ) from exc
    if text.startswith("\ufeff"):
        raise InvalidInput(
            "request body starts with a byte-order mark — send UTF-8 JSON without one",
            code="malformed_json",
        )
    try:
        body = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep(limits.max_depth) from None
    except _NonFinite as exc:
        raise InvalidInput(
            f"request body holds {exc}: JSON has no NaN or infinity (inf) — send a finite "
            "number or null",
            code="malformed_json",
        ) from None
    except ValueError as exc:
        raise InvalidInput(f"request body is not valid JSON: {exc}", code="malformed_json") from exc
    _check_tree(body, limits)
    return body


def _too_deep(depth: int) -> InvalidInput:
    return InvalidInput(
        f"request body is nested more than {depth} levels deep", code="malformed_json"
    )


def _check_tree(body: Any, limits: RequestLimits) -> None:
    """Depth, lone surrogates and ``metadata`` size, walked without recursion."""
    stack: list[tuple[Any, int, str]] = [(body, 1, "$")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            _check_text(value, path)
        elif isinstance(value, dict | list):
            if depth > limits.max_depth:
                raise _too_deep(limits.max_depth)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                where = f"{path}.{key}" if isinstance(value, dict) else f"{path}[{key}]"
                if isinstance(key, str):
                    _check_text(key, path)
                    if key == "metadata" and item is not None:
                        _check_metadata(item, where, limits.max_metadata_bytes)
                stack.append((item, depth + 1, where))


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"a string at {path} holds a lone UTF-16 surrogate (such as \\ud800) — send "
            "valid Unicode",
            param=path,
            code="malformed_json",
        ) from None


def _check_metadata(value: Any, path: str, cap: int) -> None:
    size = len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8", "replace"))
    if size > cap:
        raise InvalidInput(
            f"{path} is {size} bytes of JSON; metadata may hold at most {cap} — keep large data "
            "elsewhere and store a reference",
            param=path,
            code="metadata_too_large",
        )


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
    return structure_or_422(strict if forbid_extra else lenient, data, cls)


def send_json(resp, data: Any, status: int = 200) -> None:
    resp.status = falcon.code_to_http_status(status)
    resp.content_type = falcon.MEDIA_JSON
    resp.text = json.dumps(data, default=str)


def query_int(req, name: str, default: int, *, minimum: int = 0, maximum: int = 10_000) -> int:
    """An integer query parameter within ``[minimum, maximum]``: absent is ``default``; empty,
    repeated or out of range is a 400 that says so."""
    raw = req.params.get(name)
    if raw is None:
        return default
    if isinstance(raw, list):
        raise InvalidInput(
            f"query parameter '{name}' is given {len(raw)} times — give it once", param=name
        )
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


_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True}
_BOOLEANS.update({"false": False, "0": False, "no": False, "off": False})


def query_bool(req, name: str, default: bool = False) -> bool:
    """A true/false query parameter (also 1/0, yes/no, on/off); anything else is a 400."""
    raw = req.params.get(name)
    if raw is None:
        return default
    if not isinstance(raw, str) or raw.strip().lower() not in _BOOLEANS:
        raise InvalidInput(
            f"query parameter '{name}' must be true or false, got {raw!r}", param=name
        )
    return _BOOLEANS[raw.strip().lower()]


@frozen
class IntParam:
    """An integer query parameter: read with its bounds, and declared with the same bounds in
    ``/openapi.json``."""

    name: str
    default: int
    minimum: int
    maximum: int

    def read(self, req) -> int:
        return query_int(req, self.name, self.default, minimum=self.minimum, maximum=self.maximum)

    def parameter(self) -> dict:
        return {
            "name": self.name,
            "in": "query",
            "schema": {
                "type": "integer",
                "minimum": self.minimum,
                "maximum": self.maximum,
                "default": self.default,
            },
        }
