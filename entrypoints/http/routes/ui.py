"""``/ui``: the dashboard, static files shipped in the package (``synth_ai/http/ui/``).

The shell holds no data: every figure on a page comes from the API with the user's key, so the
files are served without one. It is a website, not part of the API, so it is mounted as a sink
and stays out of the OpenAPI document. A strict Content-Security-Policy (scripts, styles and
requests to this origin only, no inline script) keeps a credential in the page from leaking.
"""

from __future__ import annotations

import re
from pathlib import Path

import falcon

UI_ROOT = Path(__file__).resolve().parent.parent / "ui"
PREFIX = re.compile(r"/ui(?:/(?P<name>.*))?$")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE files
}
# Libraries change only with the package; our own files are revalidated so an upgrade shows.
VENDOR_CACHE = "public, max-age=86400"
OWN_CACHE = "no-cache"


def ui_file(name: str, root: Path = UI_ROOT) -> Path | None:
    """The file under ``root`` a request names, or None (missing, a folder, or outside it)."""
    if not name:
        name = "index.html"
    if "\\" in name or "\x00" in name or any(p in ("", ".", "..") for p in name.split("/")):
        return None
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    if path.suffix not in CONTENT_TYPES:
        return None
    return path


class UiFiles:
    """The sink behind ``/ui`` and ``/ui/{name}``: GET and HEAD only."""

    def __init__(self, root: Path = UI_ROOT):
        self._root = root

    def __call__(self, req, resp, name: str | None = None) -> None:
        if req.method not in ("GET", "HEAD"):
            raise falcon.HTTPMethodNotAllowed(["GET", "HEAD"])
        path = ui_file(name or "", self._root)
        if path is None:
            raise falcon.HTTPNotFound(
                description=f"no dashboard file {name!r} — open /ui for the dashboard"
            )
        resp.content_type = CONTENT_TYPES[path.suffix]
        resp.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        resp.set_header("X-Content-Type-Options", "nosniff")
        resp.set_header("Referrer-Policy", "no-referrer")
        resp.cache_control = [
            VENDOR_CACHE
            if path.relative_to(self._root.resolve()).parts[0] == "vendor"
            else OWN_CACHE
        ]
        resp.data = path.read_bytes()


def register(app) -> None:
    app.add_sink(UiFiles(), PREFIX)
