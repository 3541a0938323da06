"""Each fake offers every member of the port it stands for, with a signature that accepts every
call the port allows, so a unit test on a fake cannot pass against an interface that no real
adapter has."""

from __future__ import annotations

import inspect

import pytest
from synth_ai.ports.chat import ChatProvider, ChatStream
from synth_ai.ports.clock import Clock, IdGenerator
from synth_ai.ports.metering import Charge, Meter, MeterFactory
from synth_ai.ports.responses import ResponseStore
from synth_ai.ports.sessions import SessionStore, SettleOutbox

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.responses import (
    FakeChatStream,
    InMemoryResponseStore,
    RecordingMeter,
    RecordingMeterFactory,
    ScriptedChatProvider,
    _RecordedCharge,
)
from tests.fakes.sessions import FakeSessionStore, InMemorySettleOutbox

PAIRS = [
    (FakeSessionStore, SessionStore),
    (InMemorySettleOutbox, SettleOutbox),
    (InMemoryResponseStore, ResponseStore),
    (ScriptedChatProvider, ChatProvider),
    (FakeChatStream, ChatStream),
    (RecordingMeter, Meter),
    (_RecordedCharge, Charge),
    (RecordingMeterFactory, MeterFactory),
    (FakeClock, Clock),
    (SequentialIds, IdGenerator),
]


def port_members(port) -> dict[str, object]:
    members = {}
    for klass in reversed(port.__mro__):
        if klass in (object,) or klass.__name__ in ("Protocol", "Generic"):
            continue
        for name in getattr(klass, "__annotations__", {}):
            members[name] = None
        for name, value in vars(klass).items():
            if callable(value) and (
                not name.startswith("_") or name in ("__iter__", "__enter__", "__exit__")
            ):
                members[name] = value
    return members


def accepts(fake_method, port_method) -> list[str]:
    """What the fake's signature cannot take of the port's (empty when it takes everything)."""
    fake = inspect.signature(fake_method).parameters
    problems = []
    has_var_kw = any(p.kind is p.VAR_KEYWORD for p in fake.values())
    has_var_pos = any(p.kind is p.VAR_POSITIONAL for p in fake.values())
    for name, param in inspect.signature(port_method).parameters.items():
        if name == "self":
            continue
        if param.kind is param.VAR_POSITIONAL:
            if not has_var_pos:
                problems.append(f"*{name}")
            continue
        if param.kind is param.VAR_KEYWORD:
            if not has_var_kw:
                problems.append(f"**{name}")
            continue
        if name not in fake and not (has_var_kw and param.kind is param.KEYWORD_ONLY):
            problems.append(name)
        elif (
            name in fake and param.default is not param.empty and fake[name].default is param.empty
        ):
            problems.append(f"{name} (optional in the port, required in the fake)")
    return problems


@pytest.mark.parametrize(("fake", "port"), PAIRS, ids=[f.__name__ for f, _ in PAIRS])
def test_the_fake_offers_every_member_of_its_port_with_a_compatible_signature(fake, port):
    missing, incompatible = [], {}
    for name, method in port_members(port).items():
        if not hasattr(fake, name) and name not in fake.__init__.__code__.co_names:
            missing.append(name)
            continue
        if method is not None and callable(getattr(fake, name, None)):
            problems = accepts(getattr(fake, name), method)
            if problems:
                incompatible[name] = problems
    assert (missing, incompatible) == ([], {})


def test_the_check_would_catch_a_fake_missing_a_method_or_a_parameter():
    class Incomplete:
        def save(self) -> None: ...

    assert "get" not in dir(Incomplete)
    assert accepts(Incomplete.save, ResponseStore.save) == ["record"]
