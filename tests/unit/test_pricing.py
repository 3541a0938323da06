"""The price table and the token estimators."""

import pytest
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.sessions.model import Usage
from synth_ai.domain.sessions.pricing import ModelPrice, PriceTable


def test_an_alias_is_priced_as_the_upstream_model_it_stands_for():
    table = PriceTable(aliases={"synth-small": "gpt-4.1-mini"})
    assert (
        table.price_for("synth-small")
        == table.price_for("gpt-4.1-mini")
        == ModelPrice(0.40, 1.60, 0.10)
    )


def test_an_unknown_model_is_never_free():
    assert PriceTable().price_for("who-knows").output > 0


def test_cost_charges_cached_tokens_at_the_cached_rate_and_gpu_hours_at_the_gpu_rate():
    table = PriceTable(
        prices={"m": ModelPrice(1.0, 2.0, 0.5)}, gpu_hour_usd=3.0, gpu_rates={"H100": 4.0}
    )
    usage = Usage(input_tokens=1_000_000, cached_tokens=500_000, output_tokens=1_000_000)
    assert table.cost("m", usage) == pytest.approx(0.5 + 0.25 + 2.0)
    assert table.cost("m", Usage(gpu_hours=2)) == pytest.approx(6.0)
    assert table.cost("m", Usage(gpu_hours=2), gpu_type="H100") == pytest.approx(8.0)


def test_worst_case_prices_every_prompt_token_uncached_and_every_allowed_output_token():
    table = PriceTable(prices={"m": ModelPrice(1.0, 2.0, 0.1)})
    assert table.worst_case("m", 1000, 4000) == pytest.approx((1000 * 1.0 + 4000 * 2.0) / 1e6)


def test_a_negative_price_is_refused_with_the_bad_value():
    with pytest.raises(InvalidInput, match="-1"):
        ModelPrice(-1, 1)
