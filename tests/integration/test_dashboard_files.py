"""``/ui`` on real Waitress: the dashboard's files without a key, with their types, caching and a
strict Content-Security-Policy; nothing outside the dashboard's folder; not in the API document."""

from __future__ import annotations

import http.client
from urllib.parse import urlparse

import pytest


def raw_get(url: str, path: str) -> int:
    """A GET whose path is sent exactly as written (httpx would remove dot segments)."""
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_dashboard_shell_is_served_without_a_key_under_a_strict_policy(backend):
    client = backend.client(api_key=None)
    for path in ("/ui", "/ui/", "/ui/index.html"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert '<script type="module" src="/ui/app.js">' in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "connect-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    ("path", "content_type", "cache"),
    [
        ("/ui/app.js", "text/javascript; charset=utf-8", "no-cache"),
        ("/ui/pages/artifact.js", "text/javascript; charset=utf-8", "no-cache"),
        ("/ui/style.css", "text/css; charset=utf-8", "no-cache"),
        (
            "/ui/vendor/uplot/uPlot.esm.js",
            "text/javascript; charset=utf-8",
            "public, max-age=86400",
        ),
        ("/ui/vendor/diff/LICENSE", "text/plain; charset=utf-8", "public, max-age=86400"),
    ],
)
def test_each_file_has_its_content_type_and_cache_policy(backend, path, content_type, cache):
    response = backend.client(api_key=None).get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["cache-control"] == cache


@pytest.mark.parametrize(
    "path",
    [
        "/ui/../openapi.json",
        "/ui/pages/../../routes/ui.py",
        "/ui/%2e%2e/routes/ui.py",
        "/ui/%2E%2E/%2E%2E/app.py",
        "/ui/..%2froutes/ui.py",
        "/ui/pages",
        "/ui/nothing.js",
        "/ui//etc/passwd",
        "/ui/..%5c..%5capp.py",
    ],
)
def test_a_path_outside_the_dashboard_or_to_no_file_is_404(backend, path):
    assert raw_get(backend.url, path) == 404


def test_only_get_and_head_are_allowed(backend):
    client = backend.client(api_key=None)
    assert client.head("/ui/app.js").status_code == 200
    response = client.post("/ui/app.js")
    assert response.status_code == 405
    assert response.json()["error"]["type"]


def test_the_dashboard_stays_out_of_the_api_document(backend):
    paths = backend.client(api_key=None).get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/ui")]


def test_a_prefix_that_only_starts_like_the_dashboard_is_not_it(backend):
    assert backend.client(api_key=None).get("/uifoo").status_code == 404
