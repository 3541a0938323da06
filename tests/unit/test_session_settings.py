"""The [session] and [pricing] tables: defaults, overrides, and errors that name the bad value."""

import pytest
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.sessions.model import Limit
from synth_ai.settings.sessions import price_table, session_defaults


def test_without_a_session_table_sessions_get_a_twenty_dollar_hard_limit(settings):
    defaults = session_defaults(settings, environ={})
    assert (
        defaults.limits == (Limit("cost_usd", 20.0, "hard"),) and defaults.max_output_tokens == 4096
    )


def test_the_session_table_and_the_environment_set_the_default_limits(settings):
    settings.document = {
        "session": {
            "limit_cost_usd": 5,
            "limit_tokens": 1000,
            "limit_gpu_hours": 2.5,
            "limit_kind": "soft",
            "max_output_tokens": 512,
        }
    }
    defaults = session_defaults(settings, environ={"SYNTH_AI_SESSION_LIMIT_COST_USD": "7.5"})
    assert {(lim.metric, lim.value, lim.kind) for lim in defaults.limits} == {
        ("cost_usd", 7.5, "soft"),
        ("tokens", 1000, "soft"),
        ("gpu_hours", 2.5, "soft"),
    }
    assert defaults.max_output_tokens == 512


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"limit_cost_usd": "lots"}, "'lots'"),
        ({"limit_tokens": -5}, "-5"),
        ({"limit_cost_usd": float("inf")}, r"\[session\] limit_cost_usd .*inf"),
        ({"limit_gpu_hours": "nan"}, r"\[session\] limit_gpu_hours .*'nan'"),
        ({"limit_kind": "maybe"}, "'maybe'"),
        ({"limit_cash": 5}, "limit_cash"),
    ],
)
def test_a_bad_session_table_is_refused_with_the_bad_value(settings, table, message):
    settings.document = {"session": table}
    with pytest.raises(InvalidInput, match=message):
        session_defaults(settings, environ={})


def test_the_pricing_table_overrides_models_the_default_and_gpu_rates(settings):
    settings.document = {
        "pricing": {
            "gpu_hour_usd": 3,
            "default": {"input": 1, "output": 2},
            "models": {"my-model": {"input": 0.1, "output": 0.2, "cached": 0.01}},
            "gpu": {"H100": 5},
        }
    }
    settings.model_aliases = {"synth-small": "my-model"}
    table = price_table(settings)
    assert table.price_for("synth-small").output == 0.2
    assert table.price_for("unknown").input == 1
    assert table.price_for("gpt-4.1").output == 8.0  # built-in defaults stay
    assert (table.gpu_rate(), table.gpu_rate("H100")) == (3, 5)


def test_a_bad_price_names_the_model_and_the_value(settings):
    settings.document = {"pricing": {"models": {"m": {"input": "free", "output": 1}}}}
    with pytest.raises(InvalidInput, match=r"\[pricing.models.m\].input.*'free'"):
        price_table(settings)


def test_an_unknown_store_backend_is_refused_with_what_to_use(settings):
    from synth_ai.container import create_container

    settings.store = "mongo"
    with pytest.raises(InvalidInput, match="'mongo'.*'sqlite'.*'redis'"):
        create_container(settings).session_store()
