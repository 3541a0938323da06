"""The job queue on Kombu: any broker URL (``redis://``, ``amqp://``, ``memory://``)."""

from synth_ai.adapters.kombu_queue.consumer import KombuJobConsumer
from synth_ai.adapters.kombu_queue.publisher import KombuJobQueue

__all__ = ["KombuJobConsumer", "KombuJobQueue"]
