"""Artifacts: ids, models and prompt jobs, best-prompt extraction, Hub export."""
