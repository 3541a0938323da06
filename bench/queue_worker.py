"""The worker process of bench_queue: the real ``Worker``, Kombu and store, plus a ``noop`` kind.

python -m bench.queue_worker --concurrency 8   (SYNTH_AI_HOME, SYNTH_AI_BROKER_URL, … set)
"""

from __future__ import annotations

import argparse
import sys

from dependency_injector import providers
from synth_ai.ports.jobs import JobOutcome


class NoopRunner:
    kind = "noop"

    def validate(self, config, config_path) -> None:
        return None

    def run(self, ctx) -> JobOutcome:
        return JobOutcome("completed")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    from synth_ai.adapters.system.worker_pids import WorkerPids
    from synth_ai.cli.experiment_run import build_worker
    from synth_ai.container import create_container

    container = create_container()
    runners = dict(container.job_runners())
    runners["noop"] = NoopRunner()
    container.job_runners.override(providers.Object(runners))
    config = container.queue_settings()
    worker = build_worker(
        container, concurrency=args.concurrency, broker=config.broker_url, log=lambda line: None
    )
    worker.install_signal_handlers()
    pids = WorkerPids(container.settings().home / "queue")
    pids.write()
    try:
        return worker.run()
    finally:
        pids.remove()


if __name__ == "__main__":
    sys.exit(main())
