"""Artifact routes through real Waitress: wire shapes, validation, ids with '/' and ':'."""

from urllib.parse import quote

MODEL = "ft:Qwen/Qwen3-0.6B:v2:job_9"


def test_a_model_id_with_slashes_and_colons_is_found_raw_or_percent_encoded(backend):
    client = backend.client()
    weights = str(backend.container.settings().home / "models" / "w")
    assert (
        client.post(
            "/api/artifacts/models", json={"id": MODEL, "weights_path": weights}
        ).status_code
        == 201
    )
    for path in (
        f"/api/artifacts/models/{MODEL}",
        f"/api/artifacts/models/{quote(MODEL, safe='')}",
    ):
        body = client.get(path).json()
        assert (body["id"], body["base_model"], body["job_id"]) == (
            MODEL,
            "Qwen/Qwen3-0.6B:v2",
            "job_9",
        )


def test_a_registration_with_an_unknown_or_mistyped_field_gets_422_naming_its_path(backend):
    client = backend.client()
    response = client.post(
        "/api/artifacts/prompts",
        json={"job_id": "pl_1", "snapshots": [{"payload": {}, "scroe": 1}]},
    )
    assert response.status_code == 422
    assert "extra fields found (scroe) @ $.snapshots[0]" in response.json()["error"]["message"]
    response = client.post("/api/artifacts/models", json={"id": MODEL, "created_at": "yesterday"})
    assert response.status_code == 422 and response.json()["error"]["param"] == "$.created_at"


def test_bad_ids_and_filters_get_400_with_what_to_use_instead(backend):
    client = backend.client()
    cases = [
        ("/api/artifacts/models/gpt-4", "has no known prefix"),
        ("/api/artifacts/prompts/pl_zz", "is not hexadecimal"),
        ("/api/artifacts?type=weights", "unknown artifact type 'weights'"),
        ("/api/artifacts?status=done", "unknown status 'done'"),
        ("/api/artifacts?limit=0", "'limit' must be between 1 and 1000"),
    ]
    for path, message in cases:
        response = client.get(path)
        assert response.status_code == 400, path
        assert message in response.json()["error"]["message"]


def test_the_public_client_paths_serve_prompt_jobs_and_snapshots(backend):
    client = backend.client()
    job = {
        "job_id": "pl_abc",
        "status": "running",
        "snapshots": [
            {
                "snapshot_id": "s1",
                "score": 0.4,
                "payload": {"messages": [{"role": "system", "content": "A"}]},
            }
        ],
    }
    assert client.post("/api/artifacts/prompts", json=job).status_code == 201
    added = client.post(
        "/api/artifacts/prompts/pl_abc/snapshots",
        json={
            "score": 0.9,
            "payload": {"object": {"messages": [{"role": "system", "content": "B"}]}},
        },
    )
    assert added.status_code == 201
    new_id = added.json()["snapshot"]["snapshot_id"]
    assert new_id.startswith("snap_") and added.json()["best_snapshot_id"] == new_id
    detail = client.get("/api/artifacts/prompts/pl_abc").json()
    assert set(detail) >= {
        "job_id",
        "status",
        "best_score",
        "best_validation_score",
        "best_snapshot_id",
        "best_snapshot",
        "metadata",
        "created_at",
        "updated_at",
    }
    assert detail["best_prompt"] == [{"role": "system", "content": "B"}]
    # The public synth-ai client extracts the prompt from best_snapshot as a payload.
    assert detail["best_snapshot"] == {"object": {"messages": [{"role": "system", "content": "B"}]}}
    snapshot = client.get("/api/prompt-learning/online/jobs/pl_abc/snapshots/s1").json()
    assert snapshot["payload"]["messages"][0]["content"] == "A"
    listed = client.get("/api/prompt-learning/online/jobs/pl_abc/artifacts").json()["artifacts"]
    assert [s["snapshot_id"] for s in listed] == ["s1", new_id]
    assert client.get("/api/prompt-learning/online/jobs/pl_abc/snapshots/zzz").status_code == 404


def test_artifact_routes_need_a_key(backend):
    assert backend.client(api_key=None).get("/api/artifacts").status_code == 401


def test_a_snapshot_id_with_a_slash_is_refused_at_registration_naming_it(backend):
    client = backend.client()
    assert client.post("/api/artifacts/prompts", json={"job_id": "pl_5"}).status_code == 201
    response = client.post(
        "/api/artifacts/prompts/pl_5/snapshots", json={"snapshot_id": "a/b", "payload": {}}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "invalid snapshot id 'a/b'" in error["message"] and error["param"] == "snapshot_id"
    assert client.get("/api/prompt-learning/online/jobs/pl_5/artifacts").json()["artifacts"] == []


def _is_iso(value) -> bool:
    from datetime import datetime

    return (
        isinstance(value, str) and datetime.fromisoformat(value.replace("Z", "+00:00")) is not None
    )


def test_timestamps_are_iso_strings_and_a_missing_algorithm_is_left_out_as_the_public_client_reads(
    backend,
):
    client = backend.client()
    client.post(
        "/api/artifacts/models",
        json={"id": "ft:Qwen/Qwen3-0.6B:job_w1", "metadata": {"finished_at": 12.5}},
    )
    client.post(
        "/api/artifacts/prompts",
        json={
            "job_id": "pl_fe11",
            "status": "succeeded",
            "metadata": {"created_at": 7},
            "snapshots": [{"snapshot_id": "s1", "score": 1.0, "payload": {"created_at": 3}}],
        },
    )
    listing = client.get("/api/artifacts").json()
    model = listing["fine_tuned_models"][0]
    prompt = listing["prompts"][0]
    assert _is_iso(model["created_at"]) and _is_iso(prompt["created_at"])
    assert _is_iso(prompt["updated_at"]) and "algorithm" not in prompt
    assert model["metadata"] == {"finished_at": 12.5}  # user data is never rewritten
    detail = client.get("/api/artifacts/prompts/pl_fe11").json()
    assert _is_iso(detail["created_at"]) and detail["metadata"] == {"created_at": 7}
    assert detail["best_snapshot"] == {"created_at": 3}
    snapshot = client.get("/api/prompt-learning/online/jobs/pl_fe11/snapshots/s1").json()
    assert _is_iso(snapshot["created_at"]) and snapshot["payload"] == {"created_at": 3}
    one = client.get("/api/artifacts/models/ft:Qwen/Qwen3-0.6B:job_w1").json()
    assert _is_iso(one["created_at"])


def test_a_prompt_downloads_as_the_file_the_cli_writes_in_each_format(backend):
    from synth_ai.prompt_files import prompt_document, render

    client = backend.client()
    job = {
        "job_id": "pl_d0",
        "status": "succeeded",
        "snapshots": [
            {
                "snapshot_id": "s1",
                "score": 0.2,
                "payload": {"messages": [{"role": "system", "content": "A"}]},
            },
            {
                "snapshot_id": "s2",
                "score": 0.9,
                "payload": {"messages": [{"role": "system", "content": "Be\nbrief"}]},
            },
        ],
    }
    assert client.post("/api/artifacts/prompts", json=job).status_code == 201
    catalog = backend.container.artifact_catalog(org_id="org_test")
    stored = catalog.get_prompt_job("pl_d0")
    best = [catalog.get_snapshot("pl_d0", "s2")]
    for fmt, media, ext in [
        ("json", "application/json", "json"),
        ("yaml", "application/yaml; charset=utf-8", "yaml"),
        ("text", "text/plain; charset=utf-8", "txt"),
    ]:
        response = client.get("/api/artifacts/prompts/pl_d0/download", params={"format": fmt})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == media
        assert response.headers["content-disposition"] == f'attachment; filename="pl_d0-best.{ext}"'
        assert response.text == render(prompt_document(stored, best), fmt)
    every = client.get("/api/artifacts/prompts/pl_d0/download?all_snapshots=true&format=yaml")
    assert 'filename="pl_d0-all_snapshots.yaml"' in every.headers["content-disposition"]
    assert "Be\n" in every.text and "A" in every.text


def test_a_download_in_an_unknown_format_or_of_an_unknown_job_is_refused(backend):
    client = backend.client()
    assert client.post("/api/artifacts/prompts", json={"job_id": "pl_d1"}).status_code == 201
    response = client.get("/api/artifacts/prompts/pl_d1/download?format=pdf")
    assert response.status_code == 400
    assert (
        "format must be one of json, yaml, text, got 'pdf'" in response.json()["error"]["message"]
    )
    assert client.get("/api/artifacts/prompts/pl_d2/download").status_code == 404
