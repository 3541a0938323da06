"""What a store keeps beside sessions: in-flight reservations and the usage ledger."""

from __future__ import annotations

import uuid

from attrs import field, frozen
from synth_ai.domain.sessions.model import METRICS, Amounts


@frozen
class Reservation:
    """The worst-case amounts one request holds on a session until it settles."""

    id: str
    session_id: str
    org_id: str
    user_id: str
    amounts: Amounts
    created_at: float
    model: str | None = None
    kind: str = "chat"  # chat | usage_report
    gpu_type: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None


@frozen
class LedgerEntry:
    """One settled charge. Every cost-incurring request gets one, with or without a session
    (``session_id`` is None for ``X-No-Session`` requests): the org-level usage ledger."""

    id: str
    org_id: str
    user_id: str
    amounts: Amounts
    created_at: float
    session_id: str | None = None
    key_id: str | None = None
    model: str | None = None
    kind: str = "chat"
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    reference_type: str | None = None
    reference_id: str | None = None
    metadata: dict = field(factory=dict)

    def records(self) -> list[dict]:
        """One record per metric with a non-zero amount (the public client's usage records)."""
        return [
            {
                # A stable UUID per (entry, metric): the public client parses it with UUID().
                "id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"{self.id}:{metric}")),
                "session_id": self.session_id,
                "metric_type": metric,
                "metric_value": self.amounts.get(metric),
                "reference_type": self.reference_type or self.kind,
                "reference_id": self.reference_id or self.id,
                "org_id": self.org_id,
                "user_id": self.user_id,
                "model": self.model,
                "metadata": self.metadata,
                "created_at": self.created_at,
            }
            for metric in METRICS
            if self.amounts.get(metric)
        ]
