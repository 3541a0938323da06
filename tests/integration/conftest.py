"""Fixtures for integration tests that need a chat upstream."""

from __future__ import annotations

import pytest

from tests.support.scripted_upstream import ScriptedUpstream


@pytest.fixture
def upstream(settings):
    """A scripted Chat Completions server on 127.0.0.1, set as the upstream before ``backend``
    builds the app (list it before ``backend``)."""
    upstream = ScriptedUpstream.start()
    settings.upstream_url = upstream.base_url
    yield upstream
    upstream.close()
