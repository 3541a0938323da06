"""The budget guard as middleware: one place for every cost-incurring route.

A resource opts in with ``cost_incurring = True``. Before its responder runs, the middleware
puts the caller's ``Meter`` on ``req.context.meter`` (session chosen by ``X-Synth-Session-ID``,
or by ``X-Session-ID`` when that names one of the caller's sessions — opencode fills it with its
own chat id, which is then ignored with a warning; opted out with ``X-No-Session: true``); the
responder reserves and settles through it (see ``synth_ai.ports.metering``). A request a hard
limit refused gets ``x-should-retry: false``, so SDKs do not retry a 429 that cannot succeed.
"""

from __future__ import annotations

from synth_ai.ports.metering import Meter, MeterFactory

TRUTHY = {"1", "true", "yes", "on"}


def meter_of(req) -> Meter:
    meter = getattr(req.context, "meter", None)
    if meter is None:
        raise RuntimeError("no meter on this request: mark the resource 'cost_incurring = True'")
    return meter


class MeteringMiddleware:
    def __init__(self, factory: MeterFactory):
        self._factory = factory

    def process_resource(self, req, resp, resource, params) -> None:
        if resource is None or not getattr(resource, "cost_incurring", False):
            return
        if req.method == "OPTIONS":  # answered by Falcon (Allow), costs nothing, carries no key
            return
        opt_out = (req.get_header("X-No-Session") or "").strip().lower() in TRUTHY
        req.context.meter = self._factory.meter_for(
            req.context.principal,
            session_id=req.get_header("X-Synth-Session-ID"),
            opt_out=opt_out,
            session_hint=req.get_header("X-Session-ID"),
        )

    def process_response(self, req, resp, resource, req_succeeded) -> None:
        """Tell the caller which session paid (``X-Session-ID``) and any soft-limit warning."""
        meter = getattr(req.context, "meter", None)
        if meter is None:
            return
        session_id = getattr(meter, "session_id", None)
        if session_id:
            resp.set_header("X-Session-ID", session_id)
        warnings = getattr(meter, "warnings", None)
        if warnings:
            resp.set_header("X-Session-Warning", "; ".join(warnings))
        if getattr(meter, "refused", False):
            resp.set_header("x-should-retry", "false")
