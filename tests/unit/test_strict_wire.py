"""Request bodies are read with exactly their JSON types: what the OpenAPI document calls
invalid is refused with the field's path, never quietly coerced."""

from __future__ import annotations

import pytest
from attrs import define, field
from synth_ai.adapters.wire.strict import input_converter, structure_or_422
from synth_ai.domain.errors import ValidationFailed


@define
class Part:
    role: str


@define
class Body:
    count: int
    score: float | None = None
    name: str = "x"
    on: bool = False
    parts: list[Part] = field(factory=list)
    metadata: dict = field(factory=dict)


CONVERTER = input_converter()


def test_a_body_of_the_right_types_reads_back_and_an_integral_number_is_an_integer():
    body = structure_or_422(
        CONVERTER,
        {"count": 2.0, "score": 1, "name": "n", "on": True, "parts": [{"role": "r"}]},
        Body,
    )
    assert body == Body(2, 1.0, "n", True, [Part("r")])
    assert isinstance(body.count, int) and isinstance(body.score, float)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"count": 1, "score": False}, "expected a number, got bool False @ $.score"),
        ({"count": "5"}, "expected an integer, got str '5' @ $.count"),
        ({"count": 1.5}, "expected an integer, got float 1.5 @ $.count"),
        ({"count": True}, "expected an integer, got bool True @ $.count"),
        ({"count": 1, "name": {}}, "expected a string, got dict {} @ $.name"),
        ({"count": 1, "on": 1}, "expected true or false, got int 1 @ $.on"),
        ({"count": 1, "parts": {}}, "expected a list, got dict {} @ $.parts"),
        ({"count": 1, "parts": [{"role": 7}]}, "expected a string, got int 7 @ $.parts[0].role"),
        ({"count": 1, "metadata": []}, "expected an object, got list [] @ $.metadata"),
        ({"count": 1, "extra": 1}, "extra fields found (extra) @ $"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_with_its_path(data, says):
    with pytest.raises(ValidationFailed) as caught:
        structure_or_422(CONVERTER, data, Body)
    assert says in caught.value.message
