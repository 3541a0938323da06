"""Metered Chat Completions: one call through the configured upstream, charged to a session."""
