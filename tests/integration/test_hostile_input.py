"""Input a hostile or careless client sends, through real HTTP on real Waitress: never a 500,
always the OpenAI error body."""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.conftest import TEST_KEY

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
SAMPLE = {
    "{model_id}": "ft:base:job_1",
    "{job_id}": "pl_1",
    "{snapshot_id}": "s1",
    "{session_id}": "sess_1",
    "{response_id}": "resp_1",
}


def concrete(path: str) -> str:
    for name, value in SAMPLE.items():
        path = path.replace(name, value)
    return path


def post_routes(backend) -> list[str]:
    """Every POST route that reads a body and needs no existing record (those may 404 first)."""
    paths = backend.spec.document()["paths"]
    return [p for p, operations in paths.items() if "post" in operations and "{" not in p]


def assert_openai_error(response, status: int) -> dict:
    assert response.status_code == status, (response.request.url, response.text)
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code", "param"}
    return error


def test_options_on_every_route_answers_allow_or_405_with_or_without_a_key(backend):
    client = backend.client()
    for path in backend.spec.document()["paths"]:
        for headers in ({}, AUTH, {"Origin": "https://evil.example"}):
            response = client.options(concrete(path), headers=headers)
            assert response.status_code in (200, 204, 405), (path, response.text)
            assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("name", "body", "code"),
    [
        ("1000-deep array", b"[" * 1000 + b"]" * 1000, "malformed_json"),
        ("1000-deep object", b'{"a":' * 1000 + b"1" + b"}" * 1000, "malformed_json"),
        ("lone surrogate", b'{"model": "\\ud800", "id": "\\udfff", "input": "\\ud800"}', None),
        ("UTF-8 byte-order mark", "\ufeff{}".encode(), "malformed_json"),
        ("UTF-16", '{"model": "m"}'.encode("utf-16"), "malformed_json"),
    ],
)
def test_malformed_json_on_every_post_route_is_a_400(backend, name, body, code):
    client = backend.client()
    for path in post_routes(backend):
        response = client.post(
            path, content=body, headers={**AUTH, "Content-Type": "application/json"}
        )
        error = assert_openai_error(response, 400)
        if code:
            assert error["code"] == code, (path, error)


def test_a_body_sent_as_anything_but_json_is_a_415(backend):
    client = backend.client()
    for path in post_routes(backend):
        for content_type in (
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data",
        ):
            response = client.post(
                path, content=b"a=1", headers={**AUTH, "Content-Type": content_type}
            )
            assert_openai_error(response, 415)


def test_a_stream_request_with_a_lone_surrogate_is_refused_before_any_event(backend):
    response = backend.client().post(
        "/v1/responses",
        content=b'{"model": "synth-small", "stream": true, "input": "hi \\ud800"}',
        headers={**AUTH, "Content-Type": "application/json", "X-No-Session": "true"},
    )
    assert_openai_error(response, 400)
    assert response.headers["content-type"].startswith("application/json")


def test_oversized_metadata_is_refused_so_it_cannot_slow_other_orgs(backend):
    client = backend.client()
    big = {"blob": "x" * (70 * 1024)}
    for path, body in (
        ("/api/v1/sessions", {"metadata": big}),
        ("/api/artifacts/models", {"id": "ft:base:job_big", "metadata": big}),
        ("/api/artifacts/prompts", {"job_id": "pl_2", "metadata": big}),
    ):
        error = assert_openai_error(client.post(path, json=body, headers=AUTH), 400)
        assert error["code"] == "metadata_too_large" and error["param"] == "$.metadata"
    ok = client.post("/api/v1/sessions", json={"metadata": {"team": "a"}}, headers=AUTH)
    assert ok.status_code == 201


def test_an_oversized_body_is_refused_from_its_headers_before_the_rest_is_sent(container):
    """As ``synth-ai serve`` runs it: Waitress holds the same cap as the app."""
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.http.app import build_app
    from synth_ai.http.limits import RequestLimits, waitress_adjustments

    container.settings().document["server"] = {"max_body_mb": 1}
    app, _ = build_app(container)
    limits = RequestLimits(max_body_bytes=1024 * 1024)
    with BackgroundServer.start(app, threads=4, **waitress_adjustments(limits)) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as sock:
            sock.sendall(
                b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + f"Authorization: Bearer {TEST_KEY}\r\nContent-Length: {10**9}\r\n\r\n".encode()
                + b'{"metadata": {"a": "'
            )
            started = time.monotonic()
            answer = sock.recv(4096).decode(errors="replace")
        assert answer.startswith("HTTP/1.1 413"), answer
        assert time.monotonic() - started < 2
        # A body within the header cap but over it in fact (chunked) is still a JSON 413.
        import httpx

        response = httpx.post(
            f"{server.url}/api/v1/sessions",
            content=iter([json.dumps({"metadata": {}}).encode(), b" " * (2 * 1024 * 1024)]),
            headers={**AUTH, "Content-Type": "application/json"},
        )
        assert response.status_code == 413
