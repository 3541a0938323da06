"""httpx client to the backend that turns every failure into a named, actionable error."""

from __future__ import annotations

from typing import Any

import httpx
from synth_ai.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    ServiceUnavailable,
    SynthError,
    Unauthorized,
    UpstreamError,
    ValidationFailed,
)

_BY_STATUS: dict[int, type[SynthError]] = {
    400: InvalidInput,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: ValidationFailed,
    429: LimitExceeded,
    503: ServiceUnavailable,
}


class BackendClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        headers = {"User-Agent": "synth-ai-cli"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict | None = None,
        headers: dict | None = None,
    ) -> Any:
        try:
            response = self._http.request(
                method, path, json=json, params=_clean(params), headers=headers
            )
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(
                f"backend at {self.base_url} timed out ({type(exc).__name__}) — "
                "retry, or raise --timeout"
            ) from exc
        except httpx.TransportError as exc:
            raise ServiceUnavailable(
                f"backend not reachable at {self.base_url} ({exc}) — start it with 'synth-ai serve' "
                "or set --base-url / SYNTH_BACKEND_URL"
            ) from exc
        if response.status_code >= 400:
            raise self._error(response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise UpstreamError(
                f"backend at {self.base_url} answered {path} with non-JSON content"
            ) from exc

    def get(self, path: str, **kwargs) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def _error(self, response: httpx.Response) -> SynthError:
        try:
            body = response.json().get("error") or {}
        except (ValueError, AttributeError):
            body = {}
        message = body.get("message") if isinstance(body, dict) else None
        message = message or f"HTTP {response.status_code} from {response.request.url}"
        if response.status_code == 401:
            message = f"{message} — check --api-key / SYNTH_API_KEY for {self.base_url}"
        cls = _BY_STATUS.get(response.status_code, UpstreamError)
        extra = (
            {k: v for k, v in body.items() if k not in ("message", "type", "code", "param")}
            if isinstance(body, dict)
            else {}
        )
        error = cls(message, param=body.get("param") if isinstance(body, dict) else None, **extra)
        if isinstance(body, dict) and body.get("code"):
            error.code = body["code"]
        return error

    def close(self) -> None:
        self._http.close()


def _clean(params: dict | None) -> dict | None:
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}
