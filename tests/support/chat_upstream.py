"""The ``upstream`` fixture: a scripted Chat Completions upstream wired into ``settings``.

Import it into a test module (``from tests.support.chat_upstream import chat_upstream``) and
ask for ``upstream`` before ``backend``, so the container is built with the upstream and the
aliases already set.
"""

import pytest

from tests.support.scripted_upstream import ScriptedUpstream

ALIASES = {"synth-small": "gpt-4.1-mini", "synth-medium": "gpt-4.1"}


@pytest.fixture(name="upstream")
def chat_upstream(settings):
    upstream = ScriptedUpstream.start()
    settings.upstream_url = upstream.base_url
    settings.model_aliases = dict(ALIASES)
    yield upstream
    upstream.close()
