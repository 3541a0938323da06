"""The shared number checks of the CLI and settings, and how money is shown."""

import click
import pytest
from synth_ai.cli.options import PORT, PORT_OR_ANY, NonNegativeFloat, PositiveFloat, PositiveInt
from synth_ai.cli.output import json_text, usd
from synth_ai.domain.errors import InvalidInput
from synth_ai.settings.validation import check_number


@pytest.mark.parametrize(
    ("kind", "raw", "says"),
    [
        (PORT, "0", "outside the accepted range: a whole number 1–65535"),
        (PORT, "65536", "outside the accepted range: a whole number 1–65535"),
        (PORT, "80.5", "not a whole number 1–65535"),
        (PORT_OR_ANY, "-1", "a whole number 0–65535"),
        (PositiveFloat(), "0", "a number > 0"),
        (PositiveFloat(), "-inf", "is not finite"),
        (PositiveFloat(example="30"), "soon", "(e.g. 30)"),
        (NonNegativeFloat(), "nan", "is not finite"),
        (PositiveInt(), "0", "a whole number >= 1"),
    ],
)
def test_a_number_option_refuses_the_value_naming_the_accepted_range(kind, raw, says):
    with pytest.raises(click.BadParameter) as caught:
        kind.convert(raw, None, None)
    assert says in caught.value.message and repr(raw) in caught.value.message


def test_a_number_option_accepts_the_edges_of_its_range():
    assert PORT.convert("1", None, None) == 1 and PORT.convert("65535", None, None) == 65535
    assert PORT_OR_ANY.convert("0", None, None) == 0
    assert NonNegativeFloat().convert("0", None, None) == 0.0
    assert PositiveFloat().convert("0.001", None, None) == 0.001


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (True, "is not a number > 0"),
        ("nan", "is not a number > 0"),
        (0, "is outside > 0"),
        (float("inf"), "is not a number > 0"),
    ],
)
def test_a_config_number_names_where_it_came_from(raw, says):
    with pytest.raises(InvalidInput) as caught:
        check_number(
            raw, "[client] timeout = x in config.toml", "fix config.toml", low=0, low_open=True
        )
    assert caught.value.message == f"[client] timeout = x in config.toml {says} — fix config.toml"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "$0.0000"),
        (0.0000072, "$0.0000072"),
        (0.00001234, "$0.000012"),
        (0.0001, "$0.0001"),
        (12.5, "$12.5000"),
        (1234.5, "$1,234.5000"),
    ],
)
def test_money_shows_enough_digits_to_be_non_zero(amount, shown):
    assert usd(amount) == shown


def test_cli_json_is_strict_even_for_a_stored_nan():
    assert (
        json_text({"a": [float("nan"), float("inf"), 1.5]}, indent=None)
        == '{"a": [null, null, 1.5]}'
    )
