from synth_ai.adapters.task_app_http.client import HttpTaskAppClient

__all__ = ["HttpTaskAppClient"]
