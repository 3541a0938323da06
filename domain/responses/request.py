"""A Responses request, read leniently: what the bridge uses, validated; everything else ignored.

``ResponsesRequest.parse(body)`` checks the fields the bridge acts on and says precisely what
is wrong (``InvalidInput`` with ``param``); unknown fields and item types are ignored, because
clients such as Codex send many the bridge has no use for (``include``, ``prompt_cache_key``,
``client_metadata``, built-in tools).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import field, frozen
from synth_ai.domain.errors import InvalidInput

# Item types that may appear in ``input`` and that the translation understands.
KNOWN_ITEM_TYPES = frozenset(
    {
        "message",
        "function_call",
        "function_call_output",
        "custom_tool_call",
        "custom_tool_call_output",
        "reasoning",
        "additional_tools",
    }
)
ROLES = frozenset({"user", "developer", "system", "assistant"})


@frozen
class ResponsesRequest:
    model: str
    input: tuple[dict[str, Any], ...]
    instructions: str | None = None
    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: Any = "auto"
    parallel_tool_calls: bool | None = None
    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    text: dict[str, Any] | None = None
    store: bool = True
    previous_response_id: str | None = None
    stream: bool = False
    metadata: dict[str, Any] | None = None
    reasoning: dict[str, Any] | None = None
    extra_echo: dict[str, Any] = field(factory=dict)

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> ResponsesRequest:
        if not isinstance(body, dict):
            raise InvalidInput("request body must be a JSON object")
        model = body.get("model")
        if not isinstance(model, str) or not model.strip():
            raise InvalidInput(
                "'model' is required: a model name such as 'synth-small'", param="model"
            )
        return cls(
            model=model,
            input=normalize_input(body.get("input")),
            instructions=_optional(body, "instructions", str),
            tools=tuple(_tools(body.get("tools"))),
            tool_choice=_tool_choice(body.get("tool_choice", "auto")),
            parallel_tool_calls=_optional(body, "parallel_tool_calls", bool),
            max_output_tokens=_positive_int(body, "max_output_tokens"),
            temperature=_number(body, "temperature", 0.0, 2.0),
            top_p=_number(body, "top_p", 0.0, 1.0),
            text=_text(body),
            store=_optional(body, "store", bool) is not False,
            previous_response_id=_optional(body, "previous_response_id", str) or None,
            stream=bool(_optional(body, "stream", bool)),
            metadata=_optional(body, "metadata", dict),
            reasoning=_optional(body, "reasoning", dict),
        )

    def echo(self) -> dict[str, Any]:
        """The request fields a ``Response`` object repeats back."""
        return {
            "instructions": self.instructions,
            "metadata": self.metadata,
            "parallel_tool_calls": True
            if self.parallel_tool_calls is None
            else self.parallel_tool_calls,
            "tool_choice": self.tool_choice,
            "tools": list(self.tools),
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_output_tokens": self.max_output_tokens,
            "previous_response_id": self.previous_response_id,
            "store": self.store,
            "text": self.text,
            "reasoning": self.reasoning,
        }


def normalize_input(value: Any) -> tuple[dict[str, Any], ...]:
    """``input`` as a tuple of items: a string is one user message; messages get ``type``."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": value}]},
        )
    if not isinstance(value, list):
        raise InvalidInput(
            f"'input' must be a string or a list of items, got {type(value).__name__}",
            param="input",
        )
    items = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise InvalidInput(
                f"input[{index}] must be an object, got {type(item).__name__}",
                param=f"input[{index}]",
            )
        kind = item.get("type")
        if kind is None and "role" in item:  # an easy message: {"role", "content"}
            kind = "message"
        if kind is None:
            raise InvalidInput(
                f"input[{index}] has neither 'type' nor 'role'", param=f"input[{index}]"
            )
        if not isinstance(kind, str):
            raise InvalidInput(
                f"input[{index}].type must be a string such as 'message', got {kind!r}",
                param=f"input[{index}].type",
            )
        if kind not in KNOWN_ITEM_TYPES:
            continue  # built-in tool calls, item references …: nothing a chat upstream can use
        item = {**item, "type": kind}
        _check_item(item, index)
        items.append(item)
    return tuple(items)


def _check_item(item: Mapping[str, Any], index: int) -> None:
    where = f"input[{index}]"
    kind = item["type"]
    if kind == "message":
        role = item.get("role")
        if not isinstance(role, str) or role not in ROLES:
            raise InvalidInput(
                f"{where}.role must be one of {sorted(ROLES)}, got {item.get('role')!r}",
                param=f"{where}.role",
            )
        if not isinstance(item.get("content"), str | list):
            raise InvalidInput(
                f"{where}.content must be a string or a list of content parts",
                param=f"{where}.content",
            )
    elif kind in ("function_call", "custom_tool_call"):
        for key in ("call_id", "name"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise InvalidInput(
                    f"{where}.{key} is required for a {kind} item", param=f"{where}.{key}"
                )
    elif kind in ("function_call_output", "custom_tool_call_output"):
        if not isinstance(item.get("call_id"), str) or not item["call_id"]:
            raise InvalidInput(
                f"{where}.call_id is required for a {kind} item", param=f"{where}.call_id"
            )


def _tools(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise InvalidInput("'tools' must be a list of tool objects", param="tools")
    for index, tool in enumerate(value):
        if tool.get("type") in ("function", "custom") and not isinstance(tool.get("name"), str):
            raise InvalidInput(
                f"tools[{index}].name is required for a {tool['type']} tool",
                param=f"tools[{index}].name",
            )
    return value


def _text(body: Mapping[str, Any]) -> dict[str, Any] | None:
    text = _optional(body, "text", dict)
    fmt = (text or {}).get("format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        if not isinstance(fmt.get("schema"), dict):
            raise InvalidInput(
                "text.format.schema is required for a json_schema format: a JSON Schema object "
                f"such as {{'type': 'object', 'properties': {{…}}}}, got {fmt.get('schema')!r}",
                param="text.format.schema",
            )
    return text


def _tool_choice(value: Any) -> Any:
    if value is None:
        return "auto"
    if isinstance(value, str):
        if value not in ("auto", "none", "required"):
            raise InvalidInput(
                f"'tool_choice' must be 'auto', 'none', 'required' or an object, got {value!r}",
                param="tool_choice",
            )
        return value
    if isinstance(value, dict):
        return value
    raise InvalidInput("'tool_choice' must be a string or an object", param="tool_choice")


_T = TypeVar("_T")


def _optional(body: Mapping[str, Any], key: str, kind: type[_T]) -> _T | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, kind):
        raise InvalidInput(
            f"'{key}' must be a {kind.__name__}, got {type(value).__name__}", param=key
        )
    return value


def _positive_int(body: Mapping[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():  # JSON has one number type
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"'{key}' must be a positive integer, got {value!r}", param=key)
    return value


def _number(body: Mapping[str, Any], key: str, low: float, high: float) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidInput(
            f"'{key}' must be a number between {low} and {high}, got {value!r}", param=key
        )
    return float(value)
