"""Fixtures for the end-to-end tests with real clients: a scripted upstream and a real
``synth-ai serve`` subprocess pointed at it."""

from __future__ import annotations

import pytest

from tests.e2e.clients import E2E_KEY
from tests.support.scripted_upstream import ScriptedUpstream
from tests.support.serve_process import ServeProcess


@pytest.fixture
def scripted():
    upstream = ScriptedUpstream.start()
    yield upstream
    upstream.close()


@pytest.fixture
def served(tmp_path, scripted):
    home = tmp_path / "serve-home"
    home.mkdir()
    server = ServeProcess(home, scripted.base_url, E2E_KEY)
    yield server
    server.stop()
