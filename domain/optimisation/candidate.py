"""A prompt candidate: the system instruction plus demonstration turns.

Demonstrations (user/assistant pairs) sit between the system instruction and the task's own
messages: for small models they are where most of the gain lies. Messages of the initial prompt
that hold ``{wildcards}`` are the task's turn template: they are kept (a task app reading
``policy.config.prompt_messages`` fills them) but never substituted by the interceptor, which
places the candidate before the messages the task app sends.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from attrs import field, frozen

_WILDCARD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


@frozen
class PromptMessage:
    role: str
    text: str

    def to_wire(self) -> dict[str, Any]:
        return {"role": self.role, "content": self.text}


@frozen
class Demo:
    user: str
    assistant: str


def _demos(demos: Iterable[Demo]) -> tuple[Demo, ...]:
    return tuple(demos)


def _template(messages: Iterable[PromptMessage]) -> tuple[PromptMessage, ...]:
    return tuple(messages)


@frozen
class Candidate:
    instruction: str
    demos: tuple[Demo, ...] = field(default=(), converter=_demos)
    template: tuple[PromptMessage, ...] = field(default=(), converter=_template)

    @classmethod
    def from_messages(cls, messages: tuple[PromptMessage, ...]) -> Candidate:
        system = [m.text for m in messages if m.role == "system"]
        rest = [m for m in messages if m.role != "system"]
        demos: list[Demo] = []
        template: list[PromptMessage] = []
        i = 0
        while i < len(rest):
            m = rest[i]
            nxt = rest[i + 1] if i + 1 < len(rest) else None
            plain = not _WILDCARD.search(m.text)
            if m.role == "user" and plain and nxt and nxt.role == "assistant":
                if not _WILDCARD.search(nxt.text):
                    demos.append(Demo(m.text, nxt.text))
                    i += 2
                    continue
            template.append(m)
            i += 1
        return cls("\n\n".join(system), tuple(demos), tuple(template))

    def with_instruction(self, instruction: str) -> Candidate:
        return Candidate(instruction, self.demos, self.template)

    def with_demos(self, demos: tuple[Demo, ...]) -> Candidate:
        return Candidate(self.instruction, demos, self.template)

    def prefix(self) -> list[dict[str, Any]]:
        """What the interceptor places before the task's own (non-system) messages."""
        out = [{"role": "system", "content": self.instruction}] if self.instruction else []
        for demo in self.demos:
            out += [
                {"role": "user", "content": demo.user},
                {"role": "assistant", "content": demo.assistant},
            ]
        return out

    def messages(self) -> list[dict[str, Any]]:
        """The whole prompt, template included: the snapshot and ``prompt_messages`` shape."""
        return self.prefix() + [m.to_wire() for m in self.template]

    def key(self) -> str:
        """A stable id of the text, for caches and checkpoints."""
        raw = json.dumps(self.messages(), sort_keys=True).encode()
        return hashlib.sha256(raw).hexdigest()[:16]

    def to_state(self) -> dict[str, Any]:
        return {
            "instruction": self.instruction,
            "demos": [[d.user, d.assistant] for d in self.demos],
            "template": [[m.role, m.text] for m in self.template],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Candidate:
        return cls(
            state["instruction"],
            tuple(Demo(u, a) for u, a in state.get("demos", [])),
            tuple(PromptMessage(r, t) for r, t in state.get("template", [])),
        )


def substitute(
    candidate_prefix: list[dict[str, Any]], task_messages: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The chat messages the policy sees: the candidate first, then the task's own turns.

    The task's system messages are replaced by the candidate's instruction (when the candidate
    has one); its other messages follow the demonstrations unchanged. A task app that already
    built its messages from ``policy.config.prompt_messages`` (they begin with the candidate) is
    passed through as it is, so the demonstrations are never sent twice.
    """
    if candidate_prefix and task_messages[: len(candidate_prefix)] == candidate_prefix:
        return list(task_messages)
    has_system = any(m.get("role") == "system" for m in candidate_prefix)
    own = [
        m for m in task_messages if not (has_system and m.get("role") in ("system", "developer"))
    ]
    return [*candidate_prefix, *own]
