"""Clients of a running ``synth-ai serve``, as the CLI and SDK see it."""

from synth_ai.adapters.backend_http.client import BackendClient

__all__ = ["BackendClient"]
