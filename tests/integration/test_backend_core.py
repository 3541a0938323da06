"""The backend's core through real Waitress: health, auth, errors, the OpenAPI document."""

import falcon.inspect
import pytest

from tests.conftest import OTHER_KEY


def test_health_needs_no_key(backend):
    response = backend.client(api_key=None).get("/health")
    assert response.status_code == 200
    assert response.json()["healthy"] is True


def test_me_names_the_org_and_user_behind_the_key(backend):
    assert backend.client().get("/api/v1/me").json()["user_id"] == "user_test"
    assert backend.client(OTHER_KEY).get("/api/v1/me").json()["user_id"] == "user_other"


def test_x_api_key_header_is_accepted(backend):
    response = backend.client(api_key=None).get(
        "/api/v1/me", headers={"X-API-Key": backend.api_key}
    )
    assert response.status_code == 200


def test_missing_or_wrong_key_gets_401_with_the_openai_error_body(backend):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"X-API-Key": "nope"}):
        response = backend.client(api_key=None).get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["type"] == "authentication_error"
        assert set(error) >= {"message", "type", "code", "param"}


def test_unknown_route_gets_404_in_the_openai_error_shape(backend):
    response = backend.client().get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"


def test_openapi_document_lists_exactly_the_routes_the_app_serves(backend, container):
    from synth_ai.http.app import build_app
    from synth_ai.http.openapi import template

    app, _ = build_app(container)
    served = set()
    for route in falcon.inspect.inspect_app(app).routes:
        for method in route.methods:
            if method.internal:
                continue
            served.add((template(route.path), method.method.lower()))
    document = backend.client(api_key=None).get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    documented = {
        (path, method) for path, methods in document["paths"].items() for method in methods
    }
    assert served == documented


def test_openapi_paths_use_plain_templates_not_falcon_converters(backend):
    document = backend.client(api_key=None).get("/openapi.json").json()
    assert "/api/artifacts/models/{model_id}" in document["paths"]
    assert not [path for path in document["paths"] if ":" in path]


def test_building_the_app_initialises_resources_before_any_request_thread(container):
    from synth_ai.http.app import build_app

    chosen = container.chat_provider.providers["openai"]  # [upstream] provider's default
    assert not chosen.initialized
    build_app(container)
    assert chosen.initialized


def test_shared_services_are_built_once_even_when_first_requested_from_many_threads(container):
    import threading

    barrier = threading.Barrier(16)
    built = []

    def first_use():
        barrier.wait()
        built.append(id(container.session_store()))
        built.append(id(container.responses_bridge()))

    threads = [threading.Thread(target=first_use) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(built) == 32 and len(set(built)) == 2


def test_openapi_document_is_valid_openapi_3_1(backend):
    from openapi_spec_validator import validate

    validate(backend.client(api_key=None).get("/openapi.json").json())  # raises on any schema error


def test_the_openapi_validator_would_catch_a_broken_document(backend):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    document = backend.client(api_key=None).get("/openapi.json").json()
    document["paths"]["/health"]["get"]["responses"] = "not a responses object"
    with pytest.raises(OpenAPIValidationError):
        validate(document)
