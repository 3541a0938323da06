"""The backend's HTTP side: ``create_app(container)`` builds the Falcon app."""

from synth_ai.http.app import create_app

__all__ = ["create_app"]
