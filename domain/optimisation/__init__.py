"""Prompt optimisation: candidates, budgets, progress and the GEPA / MIPRO use cases."""
