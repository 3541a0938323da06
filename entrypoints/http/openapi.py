"""The OpenAPI 3.1 document, assembled from what each route module declares.

Route modules call ``spec.add(path, method, …)`` next to ``app.add_route``; a test checks that
the document and the router list exactly the same (path, method) pairs.
"""

from __future__ import annotations

import re
from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "code": {"type": ["string", "null"]},
                "param": {"type": ["string", "null"]},
            },
        }
    },
}


class OpenApiSpec:
    def __init__(self, title: str, version: str):
        self.title = title
        self.version = version
        self.paths: dict[str, dict[str, Any]] = {}

    def add(
        self,
        path: str,
        method: str,
        summary: str,
        *,
        tag: str,
        auth: bool = True,
        request: dict | None = None,
        response: dict | None = None,
        parameters: list[dict] | None = None,
        streaming: bool = False,
        status: int = 200,
        responses: dict[int, dict] | None = None,
        media_types: dict[str, dict] | None = None,
    ) -> None:
        """``responses``: other statuses that answer a body of their own (not the error body).
        ``media_types``: the success body's content types and schemas, for a route that answers
        something other than JSON (a file to download)."""
        path = template(path)
        operation: dict[str, Any] = {
            "summary": summary,
            "tags": [tag],
            "operationId": f"{method.lower()}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
        }
        params = list(parameters or [])
        declared = {p["name"] for p in params if p.get("in") == "path"}
        for name in _path_params(path):
            if name in declared:
                continue
            params.append(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            )
        if params:
            operation["parameters"] = params
        if request is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": request}},
            }
        content: dict[str, Any] = (
            {media: {"schema": schema} for media, schema in media_types.items()}
            if media_types
            else {"application/json": {"schema": response or {"type": "object"}}}
        )
        if streaming:
            content["text/event-stream"] = {"schema": {"type": "string"}}
        operation["responses"] = {
            str(status): {"description": "OK", "content": content},
            **{
                str(code): {
                    "description": "See summary",
                    "content": {"application/json": {"schema": schema}},
                }
                for code, schema in (responses or {}).items()
            },
            "default": {
                "description": "Error",
                "content": {"application/json": {"schema": ERROR_SCHEMA}},
            },
        }
        if not auth:
            operation["security"] = []
        self.paths.setdefault(path, {})[method.lower()] = operation

    def document(self) -> dict:
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version},
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                }
            },
            "security": [{"bearer": []}, {"apiKey": []}],
            "paths": self.paths,
        }


def template(path: str) -> str:
    """A Falcon route template as an OpenAPI path: ``{model_id:path}`` -> ``{model_id}``."""
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path)


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]
