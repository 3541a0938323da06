"""Pure translation of a Responses request (plus stored history) into a Chat Completions request.

- ``instructions`` → a leading ``system`` message; ``developer`` messages → ``system``.
- Adjacent ``function_call`` / ``custom_tool_call`` items (and the assistant text before them)
  → one assistant message with several ``tool_calls``; every ``call_id`` is kept.
- Each call is followed at once by its ``tool`` message, wherever its output item sat in the
  input; a call without output gets a placeholder output and an output without a call becomes a
  user message, so the upstream never sees a tool sequence it rejects.
- ``custom`` tools → functions taking ``{"input": string}``; ``namespace`` tools and
  ``additional_tools`` items are flattened; built-in tools the upstream cannot run are dropped.
- The ``__internal_stop`` tool is offered whenever tools are, so a model can end the turn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from attrs import frozen
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.responses.items import INTERNAL_STOP
from synth_ai.domain.responses.request import ResponsesRequest
from synth_ai.domain.sessions.tokens import prompt_bound, prompt_estimate

MISSING_OUTPUT = "(no output: this tool call was not run)"
INTERNAL_STOP_TOOL = {
    "type": "function",
    "function": {
        "name": INTERNAL_STOP,
        "description": (
            "Call this when the task is complete and nothing is left to do. It ends your "
            "turn. Put any last words for the user in final_message."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "final_message": {
                    "type": "string",
                    "description": "Optional closing message for the user.",
                }
            },
        },
    },
}


@frozen
class ToolCatalog:
    """The function tools sent upstream, and how to map a call of each back to an output item."""

    chat_tools: tuple[dict[str, Any], ...]
    custom: frozenset[str]  # names of custom (free-form) tools
    namespaces: dict[str, str]  # function name → namespace it came from

    def kind_of(self, name: str) -> str:
        if name == INTERNAL_STOP:
            return "stop"
        return "custom" if name in self.custom else "function"


@frozen
class ChatPlan:
    body: dict[str, Any]
    tools: ToolCatalog
    prompt_tokens: int  # upper bound, held by the budget reservation
    prompt_estimate: int = 0  # typical count, charged when the upstream reports no usage


def build_catalog(
    tools: list[dict[str, Any]] | tuple[dict[str, Any], ...], *, internal_stop: bool
) -> ToolCatalog:
    chat_tools: list[dict[str, Any]] = []
    custom: set[str] = set()
    namespaces: dict[str, str] = {}
    seen: set[str] = set()

    def add(tool: Mapping[str, Any], namespace: str | None) -> None:
        kind = tool.get("type")
        if kind == "namespace":
            for inner in tool.get("tools") or []:
                if isinstance(inner, dict):
                    add(inner, str(tool.get("name") or ""))
            return
        name = tool.get("name")
        if kind not in ("function", "custom") or not isinstance(name, str) or name in seen:
            return  # web_search, tool_search, file_search …: nothing a chat upstream can run
        seen.add(name)
        if namespace:
            namespaces[name] = namespace
        if kind == "custom":
            custom.add(name)
            chat_tools.append(
                {
                    "type": "function",
                    "function": {
                        "name": name,
                        "description": _custom_description(tool),
                        "parameters": {
                            "type": "object",
                            "properties": {"input": {"type": "string"}},
                            "required": ["input"],
                        },
                    },
                }
            )
            return
        function: dict[str, Any] = {
            "name": name,
            "parameters": tool.get("parameters") or {"type": "object", "properties": {}},
        }
        if tool.get("description"):
            function["description"] = tool["description"]
        chat_tools.append({"type": "function", "function": function})

    for tool in tools:
        add(tool, None)
    if internal_stop and chat_tools:
        chat_tools.append(INTERNAL_STOP_TOOL)
    return ToolCatalog(tuple(chat_tools), frozenset(custom), namespaces)


def _custom_description(tool: Mapping[str, Any]) -> str:
    description = str(tool.get("description") or "")
    fmt = tool.get("format") or {}
    if isinstance(fmt, dict) and fmt.get("type") == "grammar" and fmt.get("definition"):
        description += (
            f"\n\nPass the tool's raw input as the string 'input'. It must follow this "
            f"{fmt.get('syntax', 'grammar')} grammar:\n{fmt['definition']}"
        )
    else:
        description += "\n\nPass the tool's raw free-form input as the string 'input'."
    return description.strip()


def to_chat(
    request: ResponsesRequest,
    history: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
    *,
    internal_stop: bool = True,
) -> ChatPlan:
    """The Chat Completions body for ``request`` continuing ``history`` (stored items)."""
    items = [*history, *request.input]
    extra_tools = [
        tool
        for item in items
        if item["type"] == "additional_tools"
        for tool in item.get("tools") or []
        if isinstance(tool, dict)
    ]
    wants_stop = (
        internal_stop
        and request.tool_choice != "none"
        and not isinstance(request.tool_choice, dict)
    )
    catalog = build_catalog([*request.tools, *extra_tools], internal_stop=wants_stop)
    messages: list[dict[str, Any]] = []
    if request.instructions:
        messages.append({"role": "system", "content": request.instructions})
    messages.extend(to_messages(items))
    messages = merge_leading_system(messages)
    body: dict[str, Any] = {"model": request.model, "messages": messages}
    tool_choice = _tool_choice(request.tool_choice, catalog)
    if catalog.chat_tools:
        body["tools"] = list(catalog.chat_tools)
        body["tool_choice"] = tool_choice
        if request.parallel_tool_calls is not None:
            body["parallel_tool_calls"] = request.parallel_tool_calls
    if request.max_output_tokens is not None:
        body["max_completion_tokens"] = request.max_output_tokens
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.top_p is not None:
        body["top_p"] = request.top_p
    response_format = _response_format(request.text)
    if response_format is not None:
        body["response_format"] = response_format
    tools = body.get("tools")
    return ChatPlan(body, catalog, prompt_bound(messages, tools), prompt_estimate(messages, tools))


def _tool_choice(choice: Any, catalog: ToolCatalog) -> Any:
    if isinstance(choice, dict):
        function = choice.get("function")
        name = choice.get("name") or (function.get("name") if isinstance(function, dict) else None)
        if name is not None and not isinstance(name, str):
            raise InvalidInput(
                f"tool_choice names its tool with {name!r}: give the name as a string",
                param="tool_choice",
            )
        if choice.get("type") in ("function", "custom") and name:
            offered = [tool["function"]["name"] for tool in catalog.chat_tools]
            if name not in offered:
                raise InvalidInput(
                    f"tool_choice forces the tool {name!r}, which is not among the request's "
                    f"tools {offered}: add it to 'tools' or use tool_choice 'auto'",
                    param="tool_choice",
                )
            return {"type": "function", "function": {"name": name}}
        if choice.get("type") == "allowed_tools":
            return choice.get("mode") if choice.get("mode") in ("auto", "required") else "auto"
        return "auto"
    return choice


def _response_format(text: Mapping[str, Any] | None) -> dict[str, Any] | None:
    fmt = (text or {}).get("format")
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_schema":
        schema = {"name": fmt.get("name") or "response", "schema": fmt.get("schema") or {}}
        for key in ("strict", "description"):
            if fmt.get(key) is not None:
                schema[key] = fmt[key]
        return {"type": "json_schema", "json_schema": schema}
    if fmt.get("type") == "json_object":
        return {"type": "json_object"}
    return None


# -- messages ---------------------------------------------------------------------------------
def to_messages(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    outputs = {
        item["call_id"]: item
        for item in items
        if item["type"] in ("function_call_output", "custom_tool_call_output")
    }
    called = {
        item["call_id"] for item in items if item["type"] in ("function_call", "custom_tool_call")
    }
    messages: list[dict[str, Any]] = []
    pending: dict[str, Any] | None = None  # the assistant message collecting adjacent tool calls

    def flush() -> None:
        nonlocal pending
        if pending is None:
            return
        messages.append(pending)
        for call in pending.get("tool_calls", []):
            output = outputs.get(call["id"])
            content = _output_text(output.get("output")) if output else MISSING_OUTPUT
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": content})
        pending = None

    for item in items:
        kind = item["type"]
        if kind == "message":
            role = item["role"]
            text, parts = _content(item["content"])
            if role == "assistant":
                flush()
                pending = {"role": "assistant", "content": text}
                continue
            flush()
            messages.append(
                {
                    "role": "system" if role == "developer" else role,
                    "content": parts if parts is not None else text,
                }
            )
        elif kind in ("function_call", "custom_tool_call"):
            if pending is None:
                pending = {"role": "assistant", "content": None}
            arguments = (
                (item.get("arguments") or "{}")
                if kind == "function_call"
                else json.dumps({"input": item.get("input") or ""})
            )
            pending.setdefault("tool_calls", []).append(
                {
                    "id": item["call_id"],
                    "type": "function",
                    "function": {"name": item["name"], "arguments": arguments},
                }
            )
        elif kind in ("function_call_output", "custom_tool_call_output"):
            if item["call_id"] not in called:
                flush()
                messages.append(
                    {
                        "role": "user",
                        "content": f"Output of tool call {item['call_id']}:\n{_output_text(item.get('output'))}",
                    }
                )
        # reasoning and additional_tools items carry nothing a chat upstream takes as a message
    flush()
    return messages


def merge_leading_system(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One leading ``system`` message from the run of them that opens the conversation.

    ``instructions`` and the client's opening ``developer``/``system`` items (Codex sends
    several) would otherwise reach the upstream as consecutive system messages, which many chat
    templates (Mistral, Gemma and others) refuse. Their texts are joined in order; a system
    message later in the conversation is left where it is.
    """
    run = 0
    while (
        run < len(messages)
        and messages[run]["role"] == "system"
        and isinstance(messages[run]["content"], str)
    ):
        run += 1
    if run < 2:
        return messages
    merged = "\n\n".join(m["content"] for m in messages[:run] if m["content"])
    return [{"role": "system", "content": merged}, *messages[run:]]


def _content(content: Any) -> tuple[str, list[dict[str, Any]] | None]:
    """Text of a message, plus chat content parts when it holds images."""
    if isinstance(content, str):
        return content, None
    texts: list[str] = []
    parts: list[dict[str, Any]] = []
    has_image = False
    for part in content:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text", "summary_text", "reasoning_text"):
            texts.append(str(part.get("text") or ""))
            parts.append({"type": "text", "text": str(part.get("text") or "")})
        elif kind == "refusal":
            texts.append(str(part.get("refusal") or ""))
        elif kind == "input_image" and (part.get("image_url") or part.get("url")):
            has_image = True
            parts.append(
                {
                    "type": "image_url",
                    "image_url": {"url": part.get("image_url") or part.get("url")},
                }
            )
    return "".join(texts), (parts if has_image else None)


def _output_text(output: Any) -> str:
    if output is None:
        return ""
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return "".join(str(p.get("text") or "") for p in output if isinstance(p, dict))
    return json.dumps(output)
