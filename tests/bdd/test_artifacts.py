"""Step definitions for features/artifacts.feature: the real CLI against a real ``synth-ai serve``."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time

import httpx
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.conftest import TEST_KEY, run_cli
from tests.support.fake_hub import FakeHub

scenarios("artifacts.feature")


@pytest.fixture
def world(tmp_path):
    return {"cwd": tmp_path / "work", "env": {}}


@pytest.fixture
def hub():
    hub = FakeHub.start(token="hf_bdd_token")
    yield hub
    hub.close()


@given("a synth-ai backend is serving on a free port", target_fixture="server")
def server(tmp_path, world, hub):
    """``synth-ai serve`` in a subprocess, configured with the Hub it exports to (HF_ENDPOINT/HF_TOKEN)."""
    from synth_ai.adapters.waitress_host import find_free_port

    port = find_free_port()
    env = {
        **os.environ,
        "SYNTH_AI_HOME": str(tmp_path / "server-home"),
        "SYNTH_API_KEY": TEST_KEY,
        "HF_ENDPOINT": hub.url,
        "HF_TOKEN": hub.token,
        "HF_HUB_DISABLE_XET": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "synth_ai", "serve", "--port", str(port), "--threads", "8"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"synth-ai serve did not answer on {url}: {process.stdout.read()}")
    world["cwd"].mkdir()
    world["env"] = {
        "SYNTH_BACKEND_URL": url,
        "SYNTH_API_KEY": TEST_KEY,
        "SYNTH_AI_HOME": str(tmp_path / "cli-home"),
    }
    yield url
    process.terminate()
    process.wait(10)


@given(
    parsers.parse(
        'a trainer has reported the prompt job "{job_id}" with snapshots scoring {low:g} and {high:g}'
    )
)
def report_prompt_job(world, tmp_path, job_id, low, high):
    job = {
        "job_id": job_id,
        "status": "succeeded",
        "algorithm": "gepa",
        "snapshots": [
            {
                "snapshot_id": "snap_low",
                "score": low,
                "payload": {"messages": [{"role": "system", "content": "Classify the query."}]},
            },
            {
                "snapshot_id": "snap_high",
                "score": high,
                "payload": {
                    "object": {
                        "text_replacements": [
                            {"new_text": "You are a precise banking intent classifier."}
                        ]
                    }
                },
            },
        ],
    }
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job))
    result = run_cli("artifacts", "register-prompt", str(path), env=world["env"])
    assert result.returncode == 0, result.stderr


MULTI_LINE_PROMPT = "You classify banking queries.\n\nRules:\n- Answer with one intent.\n"


@given(
    parsers.parse(
        'a trainer has reported the prompt job "{job_id}" whose best prompt has several lines'
    )
)
def report_multi_line_job(world, tmp_path, job_id):
    job = {
        "job_id": job_id,
        "status": "succeeded",
        "snapshots": [
            {
                "snapshot_id": "snap_1",
                "score": 0.8,
                "payload": {"messages": [{"role": "system", "content": MULTI_LINE_PROMPT}]},
            }
        ],
    }
    path = tmp_path / f"{job_id}.json"
    path.write_text(json.dumps(job))
    result = run_cli("artifacts", "register-prompt", str(path), env=world["env"])
    assert result.returncode == 0, result.stderr


@then(parsers.parse('the file "{path}" holds the prompt as a block scalar'))
def holds_block_scalar(world, path):
    import yaml

    text = (world["cwd"] / path).read_text()
    assert "content: |\n    You classify banking queries.\n\n    Rules:\n" in text
    assert yaml.safe_load(text)["messages"][0]["content"] == MULTI_LINE_PROMPT


@given("the Hugging Face Hub is down")
def hub_is_down(hub):
    hub.close()


@given(
    parsers.parse('a trainer has reported the model "{model_id}" with merged and adapter weights')
)
def report_model(world, tmp_path, model_id):
    root = tmp_path / "server-home" / "models" / "weights"  # the backend's models folder
    for variant, name in (
        ("merged", "model.safetensors"),
        ("adapter", "adapter_model.safetensors"),
    ):
        (root / variant).mkdir(parents=True)
        (root / variant / name).write_bytes(b"weights of " + variant.encode())
    result = run_cli(
        "artifacts", "register-model", model_id, "--weights", str(root), env=world["env"]
    )
    assert result.returncode == 0, result.stderr


@given("a Hugging Face Hub is reachable")
def hub_is_up(hub):
    assert (
        httpx.get(
            f"{hub.url}/api/models/acme/none", headers={"Authorization": f"Bearer {hub.token}"}
        ).status_code
        == 404
    )


@when(parsers.parse('I run "{command}"'), target_fixture="result")
def run(world, command):
    args = shlex.split(command)
    assert args[0] == "synth-ai"
    return run_cli(*args[1:], env=world["env"], cwd=world["cwd"])


@then("the command succeeds")
def succeeds(result):
    assert result.returncode == 0, result.stderr


@then(parsers.parse('the JSON lists the fine-tuned model "{model_id}"'))
def lists_model(result, model_id):
    assert model_id in [m["id"] for m in json.loads(result.stdout)["fine_tuned_models"]]


@then(parsers.parse('the JSON lists the prompt job "{job_id}" with best score {score:g}'))
def lists_job(result, job_id, score):
    prompts = {p["job_id"]: p for p in json.loads(result.stdout)["prompts"]}
    assert prompts[job_id]["best_score"] == score


@then(parsers.parse("the JSON summary counts {count:d} artifacts"))
def counts(result, count):
    assert json.loads(result.stdout)["summary"]["total_count"] == count


@then(parsers.parse('the output contains "{text}"'))
def output_contains(result, text):
    assert text in result.stdout


@then(parsers.parse('the file "{path}" contains "{text}"'))
def file_contains(world, path, text):
    assert text in (world["cwd"] / path).read_text()


@then(
    parsers.parse(
        'the Hub repository "{repo_id}" is private and holds "{name}" and a model card tagged "{tag}"'
    )
)
def hub_holds(hub, repo_id, name, tag):
    repo = hub.repos[repo_id]
    assert repo.private and name in repo.files
    assert f'"{tag}"' in repo.files["README.md"].decode()
    assert hub.xet_requests == []


@then(parsers.parse('the command fails with one line containing "{text}"'))
def fails(result, text):
    assert result.returncode == 1
    assert text in result.stderr and len(result.stderr.strip().splitlines()) == 1


@then("the error shows the accepted forms")
def shows_forms(result):
    assert "ft:BASE:JOB" in result.stderr and "pl_<hex>" in result.stderr


@given(parsers.parse("the file \"{name}\" holds '{text}'"))
def file_holds(world, name, text):
    (world["cwd"] / name).write_text(text)


@given(parsers.parse('"{link}" is a symlink to "{target}"'))
def symlink(world, link, target):
    (world["cwd"] / link).symlink_to(world["cwd"] / target)


@then(parsers.parse('"{link}" is still a symlink'))
def still_symlink(world, link):
    assert (world["cwd"] / link).is_symlink()


@then(parsers.parse('the command is refused as a usage error containing "{text}"'))
def usage_error(result, text):
    assert result.returncode == 2
    assert text in result.stderr and "Traceback" not in result.stderr
