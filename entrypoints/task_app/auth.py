"""``ENVIRONMENT_API_KEY`` auth of a task app: X-API-Key, X-API-Keys (comma list) or Bearer."""

from __future__ import annotations

import hmac
import os

from synth_ai.domain.errors import ServiceUnavailable, Unauthorized


def presented_keys(req) -> list[str]:
    keys: list[str] = []
    single = req.get_header("X-API-Key")
    if single and single.strip():
        keys.append(single.strip())
    several = req.get_header("X-API-Keys")
    if several:
        keys += [part.strip() for part in several.split(",") if part.strip()]
    authorization = req.get_header("Authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            keys.append(token.strip())
    return keys


class EnvironmentKeyAuth:
    """Falcon middleware. ``api_key`` fixes the key; otherwise it is read per request from the env."""

    def __init__(self, api_key: str | None, env_var: str):
        self._api_key = api_key
        self._env_var = env_var

    def expected(self) -> str | None:
        return self._api_key or os.environ.get(self._env_var) or None

    def check(self, req) -> None:
        expected = self.expected()
        if not expected:
            raise ServiceUnavailable(
                f"{self._env_var} is not set on the task app — export {self._env_var}=<key> "
                "(or pass api_key=…) and restart it",
                code="missing_environment_api_key",
            )
        keys = presented_keys(req)
        if not keys:
            raise Unauthorized(
                f"missing API key — send 'X-API-Key: <{self._env_var}>' or "
                "'Authorization: Bearer <key>'",
                code="missing_api_key",
            )
        ok = False
        for key in keys:  # constant-time for each candidate, no early exit
            ok |= hmac.compare_digest(key.encode(), expected.encode())
        if not ok:
            raise Unauthorized(
                f"invalid API key — it does not match the task app's {self._env_var}"
            )

    def process_resource(self, req, resp, resource, params) -> None:
        if (
            resource is None
            or not getattr(resource, "auth_required", True)
            or req.method == "OPTIONS"
        ):
            return
        self.check(req)
