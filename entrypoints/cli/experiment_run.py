"""``experiment run``: submit and work an experiment in this process on Kombu's memory transport."""

from __future__ import annotations

import threading
import time

from synth_ai.domain.experiments.model import TERMINAL

MEMORY_BROKER = "memory://"


def build_worker(container, *, concurrency: int, broker: str, log=None):
    from synth_ai.adapters.kombu_queue import KombuJobConsumer
    from synth_ai.worker import Worker

    config = container.queue_settings()
    settings = container.settings()
    return Worker(
        experiments=container.experiments(),
        consumer=KombuJobConsumer(
            broker,
            prefetch=concurrency,
            queue_name=config.queue_name,
            log=log or (lambda line: None),
        ),
        concurrency=concurrency,
        workdirs=settings.home / "jobs",
        broker=broker,
        home=str(settings.home),
        heartbeat_s=config.heartbeat_s,
        tick_s=config.tick_s,
        drain_timeout_s=config.drain_timeout_s,
        log=log,
    )


def run_in_process(cli_ctx, request, base_dir, source, *, concurrency: int | None = None):
    from dependency_injector import providers
    from synth_ai.cli.experiment import _local_org
    from synth_ai.cli.output import console

    container = cli_ctx.container
    config = container.queue_settings().with_broker(MEMORY_BROKER)
    container.queue_settings.override(providers.Object(config))
    experiments = container.experiments()
    org_id = _local_org(cli_ctx.settings)
    view = experiments.submit(request, org_id=org_id, base_dir=base_dir, source=source)
    experiment_id = view.experiment.experiment_id
    out = console(stderr=True)
    out.print(f"{experiment_id}: {len(view.jobs)} job(s), running in this process")
    worker = build_worker(
        container,
        concurrency=concurrency or max(view.experiment.parallelism, 1),
        broker=MEMORY_BROKER,
        log=lambda line: None,
    )
    thread = threading.Thread(target=worker.run, name="worker", daemon=True)
    thread.start()
    try:
        while True:
            view = experiments.status(experiment_id, org_id=org_id)
            if view.experiment.status in TERMINAL:
                break
            if not thread.is_alive():
                raise RuntimeError("the in-process worker stopped unexpectedly")
            time.sleep(0.1)
    except KeyboardInterrupt:
        experiments.cancel(experiment_id, org_id=org_id)
        worker.stop(now=True)
        thread.join(timeout=30)
        raise
    worker.stop()
    thread.join(timeout=30)
    return experiments.status(experiment_id, org_id=org_id)
