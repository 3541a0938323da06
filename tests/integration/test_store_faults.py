"""Data safety through real HTTP on real Waitress and the real CLI: a damaged database stops
``serve`` in one line, a full or read-only one answers clean 503s and loses nothing, and
``/health`` tells the truth about the stores."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import TEST_KEY
from tests.support.faulty_database import FaultyDatabase

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
BIG = {"blob": "x" * 60_000}  # needs new pages: cannot fit in the free space of old ones


def real_database(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [("y" * 500,)] * 2000)
    conn.commit()
    conn.close()


def truncated(path) -> None:
    real_database(path)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)


def garbage(path) -> None:
    path.write_bytes(b"this is not an sqlite file at all" * 100)


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b""), "is empty (0 bytes)"),
        (garbage, "not a usable database"),
        (truncated, "damaged"),
    ],
    ids=["directory", "zero bytes", "garbage header", "truncated"],
)
def test_a_damaged_database_stops_serve_with_one_line_and_exit_1(cli, synth_home, damage, says):
    from synth_ai.adapters.waitress_host import find_free_port

    damage(synth_home / "synth.db")
    result = cli("serve", "--port", str(find_free_port()), timeout=30)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "synth.db" in lines[0] and says in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def faulty(settings, container):
    from dependency_injector import providers
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.http.app import create_app

    database = FaultyDatabase(settings.sqlite_path)
    container.sqlite.override(providers.Object(database))
    with BackgroundServer.start(create_app(container), threads=4) as server:
        server.database = database
        yield server


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_full_or_read_only_store_answers_503_loses_nothing_and_health_says_so(faulty, fault):
    import httpx

    client = httpx.Client(base_url=faulty.url, headers=AUTH)
    kept = client.post("/api/artifacts/models", json={"id": "ft:b:kept", "metadata": {"a": 1}})
    assert kept.status_code == 201
    assert client.get("/health").json()["checks"]["store"]["ok"] is True
    faulty.database.fault = fault
    refused = client.post("/api/artifacts/models", json={"id": "ft:b:new", "metadata": BIG})
    assert refused.status_code == 503, refused.text
    error = refused.json()["error"]
    assert error["code"] == "store_unavailable" and "nothing was changed" in error["message"]
    assert str(faulty.database.path) not in refused.text
    assert client.post("/api/v1/sessions", json={"metadata": BIG}).status_code == 503
    health = client.get("/health")
    assert health.status_code == 503 and health.json()["healthy"] is False
    assert health.json()["checks"]["store"]["ok"] is False
    assert client.get("/api/artifacts/models/ft:b:kept").json()["metadata"] == {"a": 1}
    assert client.get("/api/artifacts/models/ft:b:new").status_code == 404  # no partial write
    faulty.database.fault = None
    assert client.post("/api/artifacts/models", json={"id": "ft:b:new"}).status_code == 201
    assert client.get("/health").status_code == 200


def test_health_reports_redis_as_the_store_truthfully(redis_url, settings):
    import httpx
    from synth_ai.adapters.waitress_host import BackgroundServer, find_free_port
    from synth_ai.container import create_container
    from synth_ai.http.app import create_app

    for url, healthy in ((redis_url, True), (f"redis://127.0.0.1:{find_free_port()}/0", False)):
        settings.store, settings.redis_url = "redis", url
        container = create_container(settings)
        with BackgroundServer.start(create_app(container), threads=4) as server:
            health = httpx.get(f"{server.url}/health", timeout=5)
        container.shutdown_resources()
        assert health.status_code == (200 if healthy else 503)
        assert health.json()["checks"]["redis"]["ok"] is healthy
