"""The HTTP edge maps every error family to its status; the domain carries none."""

import pytest
from synth_ai.domain import errors
from synth_ai.domain.artifacts.errors import UnknownArtifactId
from synth_ai.domain.sessions.errors import BudgetExceeded, SessionNotActive, SessionNotFound
from synth_ai.domain.tunnels.errors import TunnelRateLimited
from synth_ai.http.errors import HTTP_STATUS, http_status


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidInput("x"), 400),
        (errors.ValidationFailed("x"), 422),
        (errors.Unauthorized("x"), 401),
        (SessionNotFound("x"), 404),
        (UnknownArtifactId("x"), 404),
        (SessionNotActive("x"), 400),
        (errors.Conflict("x"), 409),
        (errors.UpstreamRejectedRequest("x"), 400),
        (errors.ContextLengthExceeded("x"), 400),
        (errors.UpstreamTimeout("x"), 504),
        (TunnelRateLimited("x"), 429),
        (errors.ServiceUnavailable("x"), 503),
        (errors.SynthError("x"), 500),
    ],
)
def test_each_error_answers_with_the_status_of_its_most_specific_family(error, status):
    assert http_status(error) == status


def test_budget_refusals_are_429(monkeypatch):
    assert (
        issubclass(BudgetExceeded, errors.LimitExceeded)
        and HTTP_STATUS[errors.LimitExceeded] == 429
    )


def test_no_domain_error_class_carries_an_http_status():
    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    assert [c.__name__ for c in every(errors.SynthError) if "status" in vars(c)] == []
