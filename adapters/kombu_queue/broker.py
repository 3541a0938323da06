"""One place for the broker URL, queue declaration and connection options."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from kombu import Connection, Exchange, Queue

QUEUE_NAME = "synth-ai.jobs"
EXCHANGE = Exchange("synth-ai", type="direct", durable=True)


def job_queue(name: str = QUEUE_NAME) -> Queue:
    return Queue(name, EXCHANGE, routing_key=name, durable=True)


def connect(url: str) -> Connection:
    options: dict = {}
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        options["polling_interval"] = 0.005  # the in-process transport polls; keep it quick
    elif scheme.startswith("redis") or scheme.startswith("rediss"):
        options.update(socket_connect_timeout=2, socket_timeout=10, socket_keepalive=True)
    return Connection(url, transport_options=options, connect_timeout=2, heartbeat=0)


def redact(url: str) -> str:
    """The URL without its password, for messages and ``queue status``."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        user = parts.username or ""
        return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
    return url


def down_message(url: str, exc: BaseException) -> str:
    scheme = urlsplit(url).scheme
    hint = (
        "start redis-server"
        if scheme.startswith("redis")
        else "start RabbitMQ"
        if scheme.startswith("amqp")
        else "start the broker"
    )
    return (
        f"the broker is not reachable at {redact(url)} ({type(exc).__name__}: {exc}) — "
        f"{hint}, pass --broker URL, or set SYNTH_AI_BROKER_URL "
        "(or run 'synth-ai experiment run FILE.json' with no broker)"
    )


def queue_depth(url: str, name: str = QUEUE_NAME) -> int:
    """Messages waiting in the job queue (declared as the consumer declares it, so asking
    never fails on a queue nobody has used yet)."""
    with connect(url) as connection:
        declared = job_queue(name)(connection.default_channel).queue_declare()
    return int(declared.message_count)
