"""Secrets through real HTTP on real Waitress and the real CLI: nothing readable, nothing in
``ps``, nothing in an error body."""

from __future__ import annotations

import stat


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_its_folder_are_private_to_the_owner(backend, settings):
    settings.home.chmod(0o755)  # as an older synth-ai, or a careless mkdir, left it
    client = backend.client()
    assert client.post("/api/artifacts/prompts", json={"job_id": "pl_1"}).status_code == 201
    assert mode(settings.home) == 0o700
    for name in ("synth.db", "synth.db-wal", "synth.db-shm"):
        assert mode(settings.home / name) == 0o600, name


def test_the_cli_reads_the_api_key_from_a_file_or_stdin_and_says_so_in_help(cli, backend, tmp_path):
    remote = {"SYNTH_BACKEND_URL": backend.url}
    key_file = tmp_path / "key"
    key_file.write_text(backend.api_key + "\n")
    assert cli("--api-key-file", str(key_file), "artifacts", "list", env=remote).returncode == 0
    piped = cli("--api-key-file", "-", "artifacts", "list", env=remote, input=backend.api_key)
    assert piped.returncode == 0, piped.stderr
    wrong = cli("--api-key-file", "-", "artifacts", "list", env=remote, input="sk-wrong\n")
    assert wrong.returncode == 1 and "invalid API key" in wrong.stderr
    empty = cli("--api-key-file", str(tmp_path / "missing"), "artifacts", "list", env=remote)
    assert empty.returncode == 2 and "cannot read" in empty.stderr
    help_text = " ".join(cli("--help").stdout.split())
    assert "--api-key-file" in help_text and "shows in 'ps'" in help_text


class ExplodingClock:
    def now(self) -> float:
        raise RuntimeError("disk at /srv/secret/synth.db said: password=hunter2")


def test_an_unexpected_failure_answers_a_request_id_and_never_the_exception_text(backend, caplog):
    from dependency_injector import providers

    backend.container.clock.override(providers.Object(ExplodingClock()))
    response = backend.client().post("/api/artifacts/models", json={"id": "ft:base:job_1"})
    assert response.status_code == 500
    error = response.json()["error"]
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert error["request_id"] in error["message"]
    assert any(error["request_id"] in r.getMessage() and r.exc_info for r in caplog.records)
