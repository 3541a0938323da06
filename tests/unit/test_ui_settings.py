"""The [ui] table's scan ports: read like ``synth-ai scan --port-range``, errors naming the key."""

import pytest
from synth_ai.domain.errors import InvalidInput
from synth_ai.settings.ui import UiSettings


def test_without_scan_ports_the_dashboard_sweeps_what_synth_ai_scan_sweeps(settings):
    settings.document = {}
    assert UiSettings.from_settings(settings).scan_ports == (8000, 8100)


@pytest.mark.parametrize(
    ("written", "ports"), [("9000:9010", (9000, 9010)), ("9000-9010", (9000, 9010)), ("9", (9, 9))]
)
def test_scan_ports_take_the_spellings_of_the_port_range_option(settings, written, ports):
    settings.document = {"ui": {"scan_ports": written}}
    assert UiSettings.from_settings(settings).scan_ports == ports


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("9:1", "'9:1' in {file} is invalid — use ports 1-65535 with START <= END"),
        ("eighty", "'eighty' in {file} is not a range — write START:END"),
        (8000, '8000 in {file} is not a range — write "START:END"'),
    ],
)
def test_a_bad_scan_ports_value_is_one_line_naming_the_key_the_value_and_the_file(
    settings, written, says
):
    settings.document = {"ui": {"scan_ports": written}}
    with pytest.raises(InvalidInput) as refused:
        UiSettings.from_settings(settings)
    assert refused.value.message.startswith(
        "[ui] scan_ports = " + says.format(file=settings.config_path)
    ), refused.value.message
