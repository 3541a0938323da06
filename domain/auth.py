"""Who is calling: an API key resolves to a principal (org and user)."""

from __future__ import annotations

from attrs import frozen


@frozen
class Principal:
    org_id: str
    user_id: str
    key_id: str  # a short, non-secret fingerprint of the key (for logs and ledgers)
    # Signed in with a UI token: the key's principal until then (epoch seconds); None for a key.
    expires_at: float | None = None
