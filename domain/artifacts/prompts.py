"""Best-prompt extraction across the snapshot shapes optimisers write, and plain-text rendering.

Shapes understood, in this order:

- ``{"messages": [{"role", "content"}, …]}``
- ``{"object": {"messages": […]}}``
- ``{"object": {"text_replacements": [{"apply_to_role": "system", "new_text": "…"}, …]}}``
  (``apply_to_role`` defaults to ``system``)
- ``{"initial_prompt": {"data": {"messages": […]}}}``

A message's text may sit in ``content`` (a string or a list of ``{"type": "text", "text"}``
parts), ``pattern`` (prompt templates) or ``text``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

ROLES = ("system", "user", "assistant", "developer", "tool")


@frozen
class PromptMessage:
    role: str
    content: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, dict):
                parts.append(str(part.get("text") or part.get("content") or ""))
            else:
                parts.append(str(part))
        return "\n".join(p for p in parts if p)
    return str(value)


def _collect(
    items: Any, *, role_key: str, default_role: str, text_keys: tuple[str, ...], skip_empty: bool
) -> list[PromptMessage] | None:
    """Role/text pairs from a list of dicts (``None`` when ``items`` is not a list)."""
    if not isinstance(items, list):
        return None
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = next((item[k] for k in text_keys if item.get(k) is not None), None)
        if text is None and skip_empty:
            continue
        found.append(PromptMessage(str(item.get(role_key) or default_role), _text(text)))
    return found


def _messages(items: Any) -> list[PromptMessage] | None:
    return _collect(
        items,
        role_key="role",
        default_role="user",
        text_keys=("content", "pattern", "text"),
        skip_empty=False,
    )


def _replacements(items: Any) -> list[PromptMessage] | None:
    return _collect(
        items,
        role_key="apply_to_role",
        default_role="system",
        text_keys=("new_text", "text"),
        skip_empty=True,
    )


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def best_prompt(snapshot: Mapping[str, Any] | None) -> list[PromptMessage]:
    """The optimised prompt held in a snapshot payload, as role/content messages ([] if none)."""
    if not isinstance(snapshot, dict):
        return []
    candidates = (
        _messages(_get(snapshot, "messages")),
        _messages(_get(snapshot, "object", "messages")),
        _replacements(_get(snapshot, "object", "text_replacements")),
        _replacements(_get(snapshot, "text_replacements")),
        _messages(_get(snapshot, "initial_prompt", "data", "messages")),
    )
    for messages in candidates:
        if messages:
            return messages
    return []


def render_text(messages: list[PromptMessage], *, title: str | None = None) -> str:
    """Plain text: an optional title line, then each message under a ``[role]`` header."""
    lines: list[str] = []
    if title:
        lines += [title, "=" * len(title), ""]
    if not messages:
        lines.append("(no prompt messages found in this snapshot)")
    for message in messages:
        lines += [f"[{message.role}]", message.content.rstrip(), ""]
    return "\n".join(lines).rstrip() + "\n"
