"""``synth-ai artifacts`` through the real console entry, on the local store and on a backend.

The same assertions run twice: with zero configuration (the local SQLite store) and against
a running backend (``SYNTH_BACKEND_URL``), with a separate home so nothing local is used.
"""

from __future__ import annotations

import json

import pytest
import yaml

JOB = {
    "job_id": "pl_00c0ffee",
    "status": "succeeded",
    "algorithm": "gepa",
    "metadata": {"task": "banking77"},
    "snapshots": [
        {
            "snapshot_id": "snap_a",
            "score": 0.61,
            "payload": {
                "messages": [
                    {"role": "system", "content": "Classify."},
                    {"role": "user", "content": "{query}"},
                ]
            },
        },
        {
            "snapshot_id": "snap_b",
            "score": 0.87,
            "validation_score": 0.8,
            "payload": {
                "object": {
                    "text_replacements": [
                        {"new_text": "You are a banking intent classifier."},
                        {"apply_to_role": "user", "new_text": "Query: {query}"},
                    ]
                }
            },
        },
        {
            "snapshot_id": "snap_c",
            "score": 0.7,
            "payload": {
                "initial_prompt": {
                    "data": {"messages": [{"role": "system", "content": "Initial."}]}
                }
            },
        },
    ],
}


class ArtifactsCliContract:
    @pytest.fixture
    def run(self):
        raise NotImplementedError

    @pytest.fixture
    def weights(self, tmp_path):
        """Where the model's weights lie (a backend takes them only under its models folder)."""
        return tmp_path / "weights"

    @pytest.fixture
    def seeded(self, run, tmp_path, weights):
        job_file = tmp_path / "job.json"
        job_file.write_text(json.dumps(JOB))
        weights.mkdir(parents=True)
        for args in (
            ["register-prompt", str(job_file)],
            [
                "register-model",
                "ft:Qwen/Qwen3-0.6B:job_ft1",
                "--weights",
                str(weights),
            ],
            ["register-model", "rl:meta-llama/Llama-3.2-1B:job_rl1", "--status", "failed"],
        ):
            result = run("artifacts", *args)
            assert result.returncode == 0, result.stderr
        return run

    def test_list_as_json_has_the_public_wire_shape(self, seeded):
        data = json.loads(seeded("artifacts", "list", "--format", "json").stdout)
        assert [m["id"] for m in data["fine_tuned_models"]] == ["ft:Qwen/Qwen3-0.6B:job_ft1"]
        assert [m["id"] for m in data["rl_models"]] == ["rl:meta-llama/Llama-3.2-1B:job_rl1"]
        assert [(p["job_id"], p["best_score"]) for p in data["prompts"]] == [("pl_00c0ffee", 0.87)]
        assert data["summary"]["total_count"] == 3

    def test_list_filters_by_type_status_and_limit(self, seeded):
        def listed(*args):
            return json.loads(seeded("artifacts", "list", "--format", "json", *args).stdout)

        assert listed("--type", "prompts")["fine_tuned_models"] == []
        failed = listed("--status", "failed")
        assert (failed["summary"]["total_count"], [m["id"] for m in failed["rl_models"]]) == (
            1,
            ["rl:meta-llama/Llama-3.2-1B:job_rl1"],
        )
        assert listed("--limit", "1")["summary"]["returned_count"] == 1

    def test_list_as_a_table_shows_every_artifact(self, seeded):
        out = seeded("artifacts", "list").stdout
        for text in ("ft:Qwen/Qwen3-0.6B:job_ft1", "pl_00c0ffee", "failed", "best 0.8700"):
            assert text in out

    def test_show_a_prompt_job_gives_its_summary_and_best_prompt_by_role(self, seeded):
        out = seeded("artifacts", "show", "pl_00c0ffee").stdout
        assert "snap_b" in out and "0.8700" in out and "gepa" in out
        assert "You are a banking intent classifier." in out and "Query: {query}" in out
        assert "banking77" not in out  # metadata only with --verbose
        verbose = seeded("artifacts", "show", "pl_00c0ffee", "--verbose").stdout
        assert "banking77" in verbose and "text_replacements" in verbose

    def test_show_as_json_carries_best_snapshot_and_prompt(self, seeded):
        data = json.loads(seeded("artifacts", "show", "pl_00c0ffee", "--format", "json").stdout)
        assert (data["best_snapshot_id"], data["best_validation_score"]) == ("snap_b", 0.8)
        assert data["best_snapshot"]["object"]["text_replacements"][0]["new_text"].startswith(
            "You are"
        )
        assert data["best_prompt"][1] == {"role": "user", "content": "Query: {query}"}
        model = json.loads(
            seeded("artifacts", "show", "ft:Qwen/Qwen3-0.6B:job_ft1", "--format", "json").stdout
        )
        assert (model["base_model"], model["job_id"]) == ("Qwen/Qwen3-0.6B", "job_ft1")

    def test_download_writes_the_best_prompt_to_the_default_path(self, seeded, tmp_path):
        result = seeded("artifacts", "download", "pl_00c0ffee", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        data = json.loads((tmp_path / "prompts" / "pl_00c0ffee" / "best.json").read_text())
        assert (data["snapshot_id"], data["messages"][0]["content"]) == (
            "snap_b",
            "You are a banking intent classifier.",
        )

    def test_download_as_text_to_stdout_renders_every_snapshot_shape(self, seeded):
        out = seeded(
            "artifacts", "download", "pl_00c0ffee", "--all-snapshots", "--format", "text", "-o", "-"
        ).stdout
        for text in (
            "[system]\nClassify.",
            "[user]\n{query}",
            "[system]\nYou are a banking intent classifier.",
            "[system]\nInitial.",
            "snap_b (score 0.8700, best)",
        ):
            assert text in out

    def test_download_into_an_existing_directory_uses_the_default_file_name(self, seeded, tmp_path):
        (tmp_path / "dl").mkdir()
        for output, cwd in (("dl", tmp_path), (".", tmp_path / "dl")):
            result = seeded("artifacts", "download", "pl_00c0ffee", "-o", output, cwd=cwd)
            assert result.returncode == 0, result.stderr
        assert json.loads((tmp_path / "dl" / "best.json").read_text())["snapshot_id"] == "snap_b"
        assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == ["best.json"]

    def test_download_one_snapshot_as_yaml_to_a_chosen_file(self, seeded, tmp_path):
        target = tmp_path / "out" / "a.yaml"
        assert (
            seeded(
                "artifacts",
                "download",
                "pl_00c0ffee",
                "--snapshot-id",
                "snap_a",
                "--format",
                "yaml",
                "-o",
                str(target),
            ).returncode
            == 0
        )
        data = yaml.safe_load(target.read_text())
        assert (data["snapshot_id"], data["is_best"], data["messages"][1]["content"]) == (
            "snap_a",
            False,
            "{query}",
        )

    def test_unknown_and_malformed_ids_fail_with_one_line(self, seeded):
        for args, needle in (
            (["show", "pl_0badbad"], "pl_0badbad"),
            (["show", "ft:nobase"], "BASE part is missing"),
            (["download", "pl_00c0ffee", "--snapshot-id", "nope"], "no snapshot 'nope'"),
            (["download", "ft:a:b"], "is a model id"),
        ):
            result = seeded("artifacts", *args)
            assert result.returncode == 1, args
            assert needle in result.stderr and "Traceback" not in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1

    def test_an_unwritable_output_path_is_reported_and_nothing_is_written(self, seeded, tmp_path):
        blocker = tmp_path / "file"
        blocker.write_text("keep me")
        result = seeded("artifacts", "download", "pl_00c0ffee", "-o", str(blocker / "x.json"))
        assert result.returncode == 1
        assert f"cannot write {blocker / 'x.json'}" in result.stderr
        assert blocker.read_text() == "keep me"


class TestArtifactsCliOnTheLocalStore(ArtifactsCliContract):
    @pytest.fixture
    def run(self, cli):
        return cli


class TestArtifactsCliAgainstABackend(ArtifactsCliContract):
    @pytest.fixture
    def weights(self, backend):
        return backend.container.settings().home / "models" / "weights"

    @pytest.fixture
    def run(self, cli, backend, tmp_path):
        env = {
            "SYNTH_BACKEND_URL": backend.url,
            "SYNTH_API_KEY": backend.api_key,
            "SYNTH_AI_HOME": str(tmp_path / "cli-home"),
        }

        def run(*args, **kwargs):
            return cli(*args, env={**env, **kwargs.pop("env", {})}, **kwargs)

        yield run
        assert not (tmp_path / "cli-home" / "synth.db").exists()  # nothing went to a local store


def test_an_unreachable_backend_is_one_clear_line(cli):
    from synth_ai.adapters.waitress_host import find_free_port

    url = f"http://127.0.0.1:{find_free_port()}"
    result = cli("--base-url", url, "artifacts", "list")
    assert result.returncode == 1
    assert f"backend not reachable at {url}" in result.stderr and "Traceback" not in result.stderr


def test_a_wrong_api_key_is_one_clear_line(cli, backend):
    result = cli("--base-url", backend.url, "--api-key", "sk-wrong", "artifacts", "list")
    assert result.returncode == 1
    assert "invalid API key" in result.stderr and "--api-key" in result.stderr


def test_another_org_does_not_see_the_artifacts(cli, settings):
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.container import create_container
    from synth_ai.http import create_app
    from synth_ai.settings.config import ApiKey

    settings.api_keys.append(ApiKey("sk-other-org", "org_other", "user_x"))
    container = create_container(settings)
    with BackgroundServer.start(create_app(container), "127.0.0.1", 0) as server:
        env = {"SYNTH_BACKEND_URL": server.url}
        assert (
            cli(
                "--api-key",
                settings.api_keys[0].key,
                "artifacts",
                "register-model",
                "ft:b:j1",
                env=env,
            ).returncode
            == 0
        )
        mine = json.loads(
            cli(
                "--api-key",
                settings.api_keys[0].key,
                "artifacts",
                "list",
                "--format",
                "json",
                env=env,
            ).stdout
        )
        theirs = json.loads(
            cli(
                "--api-key", "sk-other-org", "artifacts", "list", "--format", "json", env=env
            ).stdout
        )
        other_show = cli("--api-key", "sk-other-org", "artifacts", "show", "ft:b:j1", env=env)
    assert (mine["summary"]["total_count"], theirs["summary"]["total_count"]) == (1, 0)
    assert other_show.returncode == 1 and "no model with id 'ft:b:j1'" in other_show.stderr


def test_a_backend_that_does_not_answer_within_timeout_is_one_clear_line(cli):
    import socket

    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        result = cli("--base-url", url, "--timeout", "0.5", "artifacts", "list", timeout=20)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: backend at {url} timed out (ReadTimeout) — retry, or raise --timeout"
    ]
