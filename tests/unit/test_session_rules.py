"""The pure session rules: reservation, settlement, limits and expiry."""

import pytest
from synth_ai.domain.errors import InvalidInput, LimitExceeded
from synth_ai.domain.sessions import model, rules
from synth_ai.domain.sessions.errors import NoLimitToRaise, SessionNotActive
from synth_ai.domain.sessions.model import HARD, SOFT, Amounts, Limit, Session

NOW = 1000.0


def session(*limits, **kwargs):
    return Session("sess_1", "org", "user", NOW, limits=limits, **kwargs)


def test_a_reservation_that_fits_is_added_to_reserved():
    decision = rules.decide_reservation(session(Limit("tokens", 100)), Amounts(tokens=60), NOW)
    assert decision.refusal is None and decision.session.reserved.tokens == 60


def test_in_flight_reservations_count_against_the_limit():
    held = session(Limit("tokens", 100), reserved=Amounts(tokens=60))
    decision = rules.decide_reservation(held, Amounts(tokens=60), NOW)
    assert decision.refusal.metric == "tokens" and decision.refusal.reserved == 60
    assert decision.session.status == model.ACTIVE


def test_the_429_names_the_session_metric_limit_and_usage_and_says_what_to_do():
    decision = rules.decide_reservation(
        session(Limit("cost_usd", 0.05), used=Amounts(cost_usd=0.05)), Amounts(cost_usd=0.01), NOW
    )
    error = decision.refusal.error()
    assert isinstance(error, LimitExceeded)
    body = error.body()["error"]
    assert body["type"] == "usage_limit_reached" and body["code"] == "usage_limit_reached"
    assert (body["session_id"], body["metric"], body["limit"], body["used"]) == (
        "sess_1",
        "cost_usd",
        0.05,
        0.05,
    )
    assert "synth-ai session increase" in body["message"]


def test_soft_limits_never_refuse():
    decision = rules.decide_reservation(
        session(Limit("api_calls", 1, SOFT)), Amounts(api_calls=5), NOW
    )
    assert decision.refusal is None and decision.warnings


def test_a_hard_limit_past_its_warning_threshold_warns_before_it_refuses():
    warned = session(Limit("cost_usd", 10, warning_threshold=8), used=Amounts(cost_usd=7.5))
    decision = rules.decide_reservation(warned, Amounts(cost_usd=1), NOW)
    assert decision.refusal is None
    assert decision.warnings == (
        "cost_usd passed its warning threshold 8 of the hard limit 10 (used 7.5, in flight 1)",
    )
    assert rules.decide_reservation(warned, Amounts(cost_usd=0.2), NOW).warnings == ()


def test_settling_more_than_reserved_still_records_the_real_usage():
    held = session(Limit("tokens", 100), reserved=Amounts(tokens=10))
    settled = rules.settle(held, Amounts(tokens=10), Amounts(tokens=120), NOW)
    assert settled.used.tokens == 120 and settled.reserved.tokens == 0
    assert settled.status == model.LIMIT_EXCEEDED and settled.exceeded_metric == "tokens"


def test_increasing_a_limit_reactivates_only_when_every_hard_limit_has_room():
    exceeded = session(
        Limit("tokens", 10),
        Limit("api_calls", 1),
        status=model.LIMIT_EXCEEDED,
        used=Amounts(tokens=10, api_calls=1),
        exceeded_metric="tokens",
    )
    partly = rules.increase_limit(exceeded, "tokens", 5)
    assert partly.status == model.LIMIT_EXCEEDED and partly.exceeded_metric == "api_calls"
    assert rules.increase_limit(partly, "api_calls", 1).status == model.ACTIVE


def test_lowering_a_hard_limit_below_the_usage_stops_an_active_session_at_once():
    spent = session(Limit("cost_usd", 5), used=Amounts(cost_usd=2.0))
    lowered = rules.set_limit(spent, Limit("cost_usd", 1.5), NOW + 1)
    assert lowered.status == model.LIMIT_EXCEEDED
    assert (lowered.exceeded_metric, lowered.exceeded_at) == ("cost_usd", NOW + 1)
    assert rules.set_limit(spent, Limit("cost_usd", 3), NOW + 1).status == model.ACTIVE
    assert rules.set_limit(lowered, Limit("cost_usd", 3), NOW + 2).status == model.ACTIVE


def test_changing_a_limit_keeps_the_order_the_limits_were_given_in():
    changed = rules.increase_limit(session(Limit("cost_usd", 1), Limit("tokens", 5)), "cost_usd", 1)
    assert [lim.metric for lim in changed.limits] == ["cost_usd", "tokens"]


def test_increasing_a_metric_without_a_limit_is_refused_rather_than_creating_a_lower_one():
    with pytest.raises(NoLimitToRaise, match="no hard gpu_hours limit to raise"):
        rules.increase_limit(session(used=Amounts(gpu_hours=2.0)), "gpu_hours", 1.5)


def test_bad_limits_are_refused_with_the_bad_value():
    with pytest.raises(InvalidInput, match="'bananas'"):
        Limit("bananas", 1)
    with pytest.raises(InvalidInput, match="-3"):
        Limit("tokens", -3)
    with pytest.raises(InvalidInput, match="increase_by"):
        rules.increase_limit(session(), "tokens", 0)
    with pytest.raises(InvalidInput, match="inf"):
        Limit("cost_usd", float("inf"))
    with pytest.raises(InvalidInput, match="inf"):
        rules.increase_limit(session(), "cost_usd", float("inf"))
    with pytest.raises(InvalidInput, match="gpu_hours .*inf"):
        Amounts(gpu_hours=float("inf"))
    with pytest.raises(InvalidInput, match="two hard limits on tokens"):
        rules.check_limits((Limit("tokens", 1, HARD), Limit("tokens", 2, HARD)))


def test_a_session_past_expires_at_is_expired_and_cannot_be_ended_again():
    expiring = session(expires_at=NOW + 5)
    assert rules.effective(expiring, NOW + 4).status == model.ACTIVE
    assert rules.effective(expiring, NOW + 5).status == model.EXPIRED
    with pytest.raises(SessionNotActive):
        rules.end(expiring, NOW + 6)


def test_a_limit_too_large_to_bind_lets_a_request_have_all_the_output_it_asks_for():
    huge = session(Limit("cost_usd", 1e308), Limit("tokens", 100))
    per_token = Amounts(cost_usd=1e-300, tokens=1)
    assert rules.affordable_output(huge, Amounts(tokens=10), per_token, wanted=50) == 50
    assert rules.affordable_output(huge, Amounts(tokens=10), per_token, wanted=500) == 90
