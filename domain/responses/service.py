"""``ResponsesBridge``: one Responses turn run against a Chat Completions upstream.

The route calls ``prepare`` (parse, load history, translate: bad input fails here, before any
stream), then ``reserve`` (the budget guard: ``LimitExceeded`` before any stream), then either
``events`` (a generator of streaming events) or ``run`` (the finished ``Response``). Both settle
the charge exactly once — before the terminal event goes out, or in ``finally`` when the upstream
fails or the client goes away — and store the response before the client can ask for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from attrs import frozen
from synth_ai.domain.chat.output_cap import OutputCap
from synth_ai.domain.errors import InvalidInput, NotFound, SynthError
from synth_ai.domain.responses.record import StoredResponse
from synth_ai.domain.responses.request import ResponsesRequest
from synth_ai.domain.responses.stream import TurnStream
from synth_ai.domain.responses.translate import ChatPlan, to_chat
from synth_ai.domain.sessions.model import Usage
from synth_ai.domain.sessions.tokens import PromptCounts
from synth_ai.ports.chat import ChatProvider
from synth_ai.ports.clock import Clock, IdGenerator
from synth_ai.ports.metering import Charge, Meter
from synth_ai.ports.responses import ResponseStore

log = logging.getLogger(__name__)


@frozen
class Turn:
    org_id: str
    response_id: str
    created_at: float
    request: ResponsesRequest
    history: tuple[dict[str, Any], ...]
    plan: ChatPlan


class _Once:
    """Settles a charge exactly once, whichever path gets there first."""

    def __init__(self, charge: Charge):
        self.charge = charge
        self.settled = False

    def settle(self, usage: Usage) -> None:
        if not self.settled:
            self.settled = True
            self.charge.settle(usage)


class ResponsesBridge:
    def __init__(
        self,
        chat: ChatProvider,
        store: ResponseStore,
        clock: Clock,
        ids: IdGenerator,
        *,
        internal_stop: bool = True,
        prompt_counts: PromptCounts | None = None,
    ):
        self.chat = chat
        self.store = store
        self.clock = clock
        self.ids = ids
        self.internal_stop = internal_stop
        # What the upstream counted for earlier prompts of a conversation: each later turn
        # reserves that count plus the byte bound of what is new only.
        self.prompt_counts = prompt_counts or PromptCounts()

    # -- preparing a turn ---------------------------------------------------------------------
    def prepare(self, body: Mapping[str, Any], org_id: str) -> Turn:
        return self._turn(ResponsesRequest.parse(body), org_id)

    def prepare_tool_outputs(self, org_id: str, response_id: str, body: Mapping[str, Any]) -> Turn:
        """``submit_tool_outputs``: continue a stored response with the outputs of its calls."""
        previous = self._record(org_id, response_id)
        outputs = body.get("tool_outputs") if isinstance(body, dict) else None
        if not isinstance(outputs, list) or not outputs:
            raise InvalidInput(
                "'tool_outputs' must be a non-empty list of {call_id, output}", param="tool_outputs"
            )
        calls = {
            item["call_id"]: item["type"]
            for item in previous.output_items
            if item.get("type") in ("function_call", "custom_tool_call")
        }
        items = []
        for index, entry in enumerate(outputs):
            call_id = (
                entry.get("call_id") or entry.get("tool_call_id")
                if isinstance(entry, dict)
                else None
            )
            if not isinstance(call_id, str) or call_id not in calls:
                raise InvalidInput(
                    f"tool_outputs[{index}]: {call_id!r} is not a tool call of response "
                    f"{response_id} (its calls: {sorted(calls) or 'none'})",
                    param=f"tool_outputs[{index}].call_id",
                )
            output = entry.get("output", "")
            items.append(
                {
                    "type": f"{calls[call_id]}_output",
                    "call_id": call_id,
                    "output": output if isinstance(output, str | list) else str(output),
                }
            )
        echo = previous.response
        request_body = {
            "model": echo.get("model"),
            "input": items,
            "previous_response_id": response_id,
            "tools": echo.get("tools") or None,
            "tool_choice": echo.get("tool_choice"),
            "parallel_tool_calls": echo.get("parallel_tool_calls"),
            "text": echo.get("text"),
            "instructions": echo.get("instructions"),
            "max_output_tokens": echo.get("max_output_tokens"),
            "temperature": echo.get("temperature"),
            "top_p": echo.get("top_p"),
            "stream": bool(body.get("stream")),
            "store": True,
            "metadata": echo.get("metadata") or None,
        }
        return self._turn(ResponsesRequest.parse(request_body), org_id)

    def _turn(self, request: ResponsesRequest, org_id: str) -> Turn:
        history: tuple[dict[str, Any], ...] = ()
        if request.previous_response_id:
            history = tuple(
                self._record(
                    org_id, request.previous_response_id, param="previous_response_id"
                ).history()
            )
        plan = to_chat(request, history, internal_stop=self.internal_stop)
        if not plan.body["messages"]:
            raise InvalidInput(
                "'input' is empty: send a string or at least one message item", param="input"
            )
        return Turn(org_id, self.ids.new_id("resp"), self.clock.now(), request, history, plan)

    def reserve(self, turn: Turn, meter: Meter) -> Charge:
        body = turn.plan.body
        charge = meter.reserve(
            model=turn.request.model,
            prompt_tokens=self.prompt_counts.bound(
                turn.request.model, body["messages"], body.get("tools")
            ),
            max_output_tokens=turn.request.max_output_tokens,
        )
        cap = charge.max_output_tokens
        asked = turn.request.max_output_tokens
        if cap and (asked is None or cap < asked):
            # Hold the upstream to the output the reservation holds ([session] cap, or what
            # the remaining budget affords).
            turn.plan.body["max_completion_tokens"] = cap
        return charge

    # -- running it ---------------------------------------------------------------------------
    def events(self, turn: Turn, charge: Charge) -> Iterator[dict[str, Any]]:
        """The turn's events. Once ``response.created`` is out, whatever fails — the upstream
        (an error, a cut, a timeout, a malformed chunk), a bug, the ledger or the store —
        ends it with exactly one terminal event; a client that goes away closes the upstream.
        The charge is settled either way."""
        machine = self._machine(turn)
        once = _Once(charge)
        try:
            yield from machine.start()
            try:
                with self.chat.stream(turn.plan.body) as stream:
                    capped = _Capped(stream, turn, charge)
                    for chunk in capped:
                        yield from machine.feed(chunk)
                self._learn(turn, machine, capped)
                ending = machine.finish()
            except SynthError as exc:
                ending = machine.fail(_code(exc), exc.message)
            except Exception as exc:  # noqa: BLE001 - a bug or garbage chunk: fail, never cut
                log.exception("turn %s broke mid-stream", turn.response_id)
                message = f"the bridge could not continue the stream ({type(exc).__name__})"
                ending = machine.fail("server_error", message)
            yield from self._end(turn, machine, once, ending)
        finally:
            # The client went away, or something unexpected broke: settle what was used.
            _settle_quietly(once, machine.usage(), turn.response_id)

    def run(self, turn: Turn, charge: Charge) -> dict[str, Any]:
        """A non-streaming turn: the upstream is still streamed, so the cap holds the same way;
        an upstream failure is raised (an ordinary HTTP error)."""
        machine = self._machine(turn)
        once = _Once(charge)
        try:
            machine.start()
            with self.chat.stream(turn.plan.body) as stream:
                capped = _Capped(stream, turn, charge)
                for chunk in capped:
                    machine.feed(chunk)
            self._learn(turn, machine, capped)
            list(self._end(turn, machine, once, machine.finish()))
            return machine.response()
        finally:
            _settle_quietly(once, machine.usage(), turn.response_id)

    def _learn(self, turn: Turn, machine: TurnStream, capped: _Capped) -> None:
        """Remember what the upstream itself counted for this prompt (not our estimate of a
        stream we cut), to bound the next turn of the conversation."""
        try:
            self._remember(turn, machine, capped)
        except Exception:  # noqa: BLE001 - a hint for the next turn never costs this answer
            log.exception("could not learn the prompt count of %s", turn.response_id)

    def _remember(self, turn: Turn, machine: TurnStream, capped: _Capped) -> None:
        reported = machine.upstream_usage
        if capped.cut or not reported:
            return
        body = turn.plan.body
        self.prompt_counts.learn(
            turn.request.model,
            body["messages"],
            body.get("tools"),
            Usage.from_openai(reported).input_tokens,
        )

    def get(self, org_id: str, response_id: str) -> dict[str, Any]:
        return self._record(org_id, response_id).response

    # -- helpers ------------------------------------------------------------------------------
    def _machine(self, turn: Turn) -> TurnStream:
        return TurnStream(
            response_id=turn.response_id,
            created_at=turn.created_at,
            model=turn.request.model,
            echo=turn.request.echo(),
            tools=turn.plan.tools,
            ids=self.ids,
            prompt_estimate=turn.plan.prompt_estimate,
        )

    def _end(
        self, turn: Turn, machine: TurnStream, once: _Once, events: list[dict[str, Any]]
    ) -> Iterator[dict[str, Any]]:
        """Settle and store first, so a client that reacts to the terminal event sees both.

        Neither failing may cost the client its terminal event: the answer is already paid for
        upstream, so a broken ledger or store is logged, not turned into a cut stream."""
        _settle_quietly(once, machine.usage(), turn.response_id)
        if turn.request.store:
            try:
                self.store.save(
                    StoredResponse(
                        id=turn.response_id,
                        org_id=turn.org_id,
                        response=machine.response(),
                        input_items=(*turn.history, *turn.request.input),
                        output_items=tuple(machine.output),
                        created_at=turn.created_at,
                    )
                )
            except Exception as exc:  # noqa: BLE001 - the answer is out; say why it is not kept
                log.error(
                    "could not store %s (previous_response_id will not find it): %s",
                    turn.response_id,
                    exc.message if isinstance(exc, SynthError) else repr(exc),
                )
        yield from events

    def _record(self, org_id: str, response_id: str, *, param: str | None = None) -> StoredResponse:
        record = self.store.get(org_id, response_id)
        if record is None:
            raise NotFound(
                f"response {response_id!r} not found — it was never stored (store: false) "
                "or belongs to another organisation",
                param=param,
                code="response_not_found",
            )
        return record


class _Capped:
    """The upstream's chunks held to the turn's output cap (``OutputCap``). A cut stream ends
    with ``finish_reason: "length"`` (the response is ``incomplete``) and the typical count of
    what streamed as its usage, since the upstream's own report never comes. The charge hears
    how much has streamed (what a lapsed lease is charged if this process dies)."""

    def __init__(self, stream: Iterable[dict[str, Any]], turn: Turn, charge: Charge):
        self._stream = stream
        self._turn = turn
        self._charge = charge
        limit = turn.plan.body.get("max_completion_tokens")
        self._cap = OutputCap(limit if isinstance(limit, int) else None)

    @property
    def cut(self) -> bool:
        return self._cap.cut

    def __iter__(self) -> Iterator[dict[str, Any]]:
        cap, prompt = self._cap, self._turn.plan.prompt_estimate
        for chunk in self._stream:
            out = cap.apply(chunk)
            self._charge.progress(Usage(input_tokens=prompt, output_tokens=cap.tokens, api_calls=1))
            yield out
            if cap.cut:
                usage = {
                    "prompt_tokens": prompt,
                    "completion_tokens": cap.tokens,
                    "total_tokens": prompt + cap.tokens,
                }
                yield {"choices": [], "usage": usage}
                return


def _settle_quietly(once: _Once, usage: Usage, response_id: str) -> None:
    """Settle once; a ledger that fails is logged, never turned into a cut stream or an error
    in place of an answer the upstream already produced."""
    try:
        once.settle(usage)
    except Exception as exc:  # noqa: BLE001
        log.error(
            "could not settle the usage of %s (its reservation lapses with its lease): %s",
            response_id,
            exc.message if isinstance(exc, SynthError) else repr(exc),
        )


def _code(error: SynthError) -> str:
    return error.code or "upstream_error"
