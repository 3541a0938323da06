"""Files a user hands us: empty, truncated, the wrong top-level type, NaN/Infinity — one line
with the file, line and column; NaN/Infinity are never stored and the CLI never prints them."""

import json
import os
import subprocess
import sys

import pytest

JOB = '{"job_id": "pl_abc123", "snapshots": [{"payload": {"messages": []}, "score": 0.5}]}'

BAD_FILES = [
    ("empty.json", "", "Error: {path} is empty — give a JSON object"),
    ("blank.yaml", "\n  \n", "Error: {path} is empty — give a JSON object"),
    (
        "list.json",
        "[1, 2]\n",
        "Error: {path}:1:1: expected a JSON object (mapping) at the top level, got list",
    ),
    (
        "string.yaml",
        "just words\n",
        "Error: {path}:1:1: expected a JSON object (mapping) at the top level, got string",
    ),
    (
        "cut.json",
        '{"job_id": "pl_abc123",\n',
        "Error: {path}:2:1: not valid JSON: Expecting property name",
    ),
    (
        "nan.json",
        '{"job_id": "pl_abc123",\n "snapshots": [{"payload": {}, "score": NaN}]}',
        "Error: {path}:2:41: NaN is not a number JSON allows",
    ),
    (
        "inf.json",
        '{"job_id": "pl_abc123", "metadata": {"x": -Infinity}}',
        "Error: {path}:1:43: -Infinity is not a number JSON allows",
    ),
    (
        "nan.yaml",
        "job_id: pl_abc123\nmetadata:\n  x: .inf\n",
        "Error: {path}:3:6: $.metadata.x is NaN or infinite",
    ),
    ("cut.yaml", "job_id: [pl_abc123\n", "Error: {path}:2:1: neither JSON nor YAML"),
    (
        "extra.json",
        '{"job_id": "pl_abc123", "bogus": 1}',
        "Error: {path}: extra fields found (bogus) @ $",
    ),
]


@pytest.mark.parametrize(("name", "text", "says"), BAD_FILES)
def test_a_bad_prompt_file_is_one_line_with_the_file_line_and_column(
    cli, tmp_path, name, text, says
):
    path = tmp_path / name
    path.write_text(text)
    result = cli("artifacts", "register-prompt", str(path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(says.format(path=path)), line
    listed = json.loads(cli("artifacts", "list", "--format", "json").stdout)
    assert listed["prompts"] == []  # nothing half-stored


def test_a_prompt_file_on_stdin_is_named_stdin_in_errors(cli):
    result = cli("artifacts", "register-prompt", "-", input='{"job_id": NaN}')
    assert result.returncode == 1
    assert result.stderr.startswith("Error: <stdin>:1:12: NaN is not a number JSON allows")


@pytest.mark.parametrize(
    ("metadata", "says"),
    [
        ('{"lr": NaN}', "line 1, column 8: NaN is not a number JSON allows"),
        ("[1]", "line 1, column 1: expected a JSON object (mapping) at the top level, got list"),
        ('{"lr": ', "line 1, column 8: not valid JSON: Expecting value (it ends too early)"),
    ],
)
def test_bad_metadata_json_is_a_usage_error_naming_the_option(cli, metadata, says):
    result = cli("artifacts", "register-model", "ft:Qwen/Qwen3-0.6B:job_1", "--metadata", metadata)
    assert result.returncode == 2, result.stderr
    assert f"Error: Invalid value for --metadata: {says}" in result.stderr


def strict_json(text: str):
    def refuse(token):
        raise AssertionError(f"the CLI printed {token}, which is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_a_good_file_is_stored_and_everything_the_cli_prints_is_strict_json(cli, tmp_path):
    path = tmp_path / "job.json"
    path.write_text(JOB)
    stored = cli("artifacts", "register-prompt", str(path), "--format", "json")
    assert stored.returncode == 0, stored.stderr
    assert strict_json(stored.stdout)["best_score"] == 0.5
    strict_json(cli("artifacts", "list", "--format", "json").stdout)
    strict_json(cli("artifacts", "show", "pl_abc123", "--format", "json").stdout)
    strict_json(cli("artifacts", "download", "pl_abc123", "-o", "-").stdout)


@pytest.mark.parametrize("where", ["local", "remote"])
def test_the_sdk_refuses_non_json_values_with_the_same_error_locally_and_remotely(
    where, request, cli
):
    env = dict(os.environ)
    if where == "remote":
        backend = request.getfixturevalue("backend")
        env.update(SYNTH_BACKEND_URL=backend.url, SYNTH_API_KEY=backend.api_key)
    script = """
from synth_ai import Artifacts
from synth_ai.domain.errors import InvalidInput
a = Artifacts()
a.report_prompt_job("pl_abc123")
for call in (
    lambda: a.report_snapshot("pl_abc123", {"messages": []}, score=float("nan")),
    lambda: a.report_snapshot("pl_abc123", {"x": [float("inf")]}),
    lambda: a.report_model("ft:q:job_1", metadata={"lr": float("nan")}),
    lambda: a.report_snapshot("pl_abc123", {"messages": [...]}),
):
    try:
        call()
    except InvalidInput as exc:
        print(exc.message)
print(len(a.catalog.list_snapshots("pl_abc123")))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "score is NaN or infinite — give a finite number (or leave it out)",
        "payload at payload.x[0] is NaN or infinite — give a finite number (or leave it out)",
        "metadata at metadata.lr is NaN or infinite — give a finite number (or leave it out)",
        "payload at payload.messages[0] is Ellipsis (ellipsis), which JSON cannot carry",
        "0",
    ]
    listed = cli("artifacts", "list", "--format", "json", env=env)
    assert json.loads(listed.stdout)["fine_tuned_models"] == []


def test_the_http_api_refuses_nan_in_a_request_body(backend):
    with backend.client() as client:
        answer = client.post(
            "/api/artifacts/models",
            content=b'{"model_id": "ft:q:job_1", "metadata": {"lr": NaN}}',
            headers={"Content-Type": "application/json"},
        )
    assert answer.status_code == 400, answer.text
    assert "request body holds NaN: JSON has no NaN or infinity" in answer.text
