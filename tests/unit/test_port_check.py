"""The helper the contract suites use to hold every implementation to its port's Protocol."""

from typing import Protocol

from tests.support.ports import port_mismatches


class Port(Protocol):
    url: str

    def get(self, key: str, *, default: int = 0) -> int: ...


def test_a_matching_implementation_has_no_mismatch():
    class Good:
        url = "http://x"

        def get(self, key, *, default=0):
            return default

    assert port_mismatches(Good(), Port) == []


def test_a_missing_method_a_missing_attribute_and_a_different_signature_are_each_named():
    class Missing:
        pass

    class Positional:
        url = "http://x"

        def get(self, key, default=0):  # default must be keyword-only
            return default

    assert port_mismatches(Missing(), Port) == ["missing method get()", "missing attribute url"]
    assert port_mismatches(Positional(), Port)[0].startswith("get[('key'")
