"""Prompt-optimisation jobs: the ``gepa`` / ``mipro`` runners and the foreground context."""
