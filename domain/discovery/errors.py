"""Named errors of discovery, in the families of ``synth_ai.domain.errors``."""

from __future__ import annotations

from synth_ai.domain.errors import InvalidInput


class InvalidScanRequest(InvalidInput):
    """A scan asked for something impossible (bad port range, negative timeout)."""

    code = "invalid_scan_request"
