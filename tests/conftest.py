"""Fixtures shared by every tier: an isolated SYNTH_AI_HOME, a real backend, Redis, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from synth_ai.settings.config import ApiKey, Settings

ROOT = Path(__file__).resolve().parent.parent
TEST_KEY = "sk-synth-test-key-0123456789"
OTHER_KEY = "sk-synth-test-other-user-key"


@pytest.fixture(autouse=True)
def synth_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own SYNTH_AI_HOME and no SYNTH_* leakage from the caller."""
    for name in list(os.environ):
        if (
            name.startswith("SYNTH_")
            and name != "SYNTH_AI_TEST_REDIS_URL"
            and not name.startswith("SYNTH_AI_TEST_")
        ):
            monkeypatch.delenv(name, raising=False)
    # Tables follow COLUMNS when piped; pytest-xdist workers set COLUMNS=80, so drop it for
    # the same output under one worker or many (a test that needs a width sets it).
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    home = tmp_path / "synth-home"
    home.mkdir()
    monkeypatch.setenv("SYNTH_AI_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    (tmp_path / "user-home").mkdir()
    return home


@pytest.fixture
def settings(synth_home) -> Settings:
    return Settings(
        home=synth_home,
        api_keys=[
            ApiKey(TEST_KEY, "org_test", "user_test"),
            ApiKey(OTHER_KEY, "org_test", "user_other"),
        ],
    )


@pytest.fixture
def container(settings):
    from synth_ai.container import create_container

    container = create_container(settings)
    yield container
    container.shutdown_resources()


class RunningBackend:
    def __init__(self, server, container, spec):
        self.server = server
        self.container = container
        self.spec = spec
        self.url = server.url
        self.api_key = TEST_KEY

    def client(self, api_key: str | None = TEST_KEY, **kwargs):
        import httpx

        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)


@pytest.fixture
def backend(container):
    """A real ``synth-ai serve`` app on real Waitress, on a free port."""
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.http.app import build_app

    app, spec = build_app(container)
    server = BackgroundServer.start(app, "127.0.0.1", 0, threads=16)
    try:
        yield RunningBackend(server, container, spec)
    finally:
        server.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis for integration tests. Started by scripts/test when none answers; never skipped."""
    url = os.environ.get("SYNTH_AI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(
            f"Redis is not reachable at {url} ({exc}) — run the suite with scripts/test, "
            "which starts one, or set SYNTH_AI_TEST_REDIS_URL",
            pytrace=False,
        )
    return url


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """PostgreSQL for integration tests. Found or started by scripts/test; never skipped."""
    from tests.support import postgres

    url = postgres.postgres_url()
    try:
        postgres.check(url)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(
            f"PostgreSQL is not reachable at {url} ({exc}) — run the suite with scripts/test, "
            "which finds or starts one, or set SYNTH_AI_TEST_POSTGRES_URL",
            pytrace=False,
        )
    return url


@pytest.fixture
def postgres_schema(postgres_url):
    """A schema of its own for this test (dropped after), so parallel workers never collide."""
    from tests.support import postgres

    schema = postgres.new_schema()
    yield schema
    postgres.drop_schema(postgres_url, schema)


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix unique to this test, so parallel workers never share keys."""
    return f"synth-test:{uuid.uuid4().hex[:10]}:"


def run_cli(
    *args: str,
    env: dict | None = None,
    input: str | None = None,
    timeout: float = 60,
    cwd: str | Path | None = None,
) -> subprocess.CompletedProcess:
    """The real ``synth-ai`` console entry in a subprocess."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "synth_ai", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
        cwd=cwd,
    )


@pytest.fixture
def cli():
    return run_cli
