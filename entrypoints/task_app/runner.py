"""Run one task-app deployment until stopped, and keep its ``services.json`` record.

``synth-ai deploy`` runs ``run_deployment`` in the foreground, or this module as a detached
process for ``--background``::

    python -m synth_ai.task_app.runner --task-app app.py --id svc_1a2b [--host] [--port]
        [--tunnel-mode none|quick|managed] [--tunnel-subdomain NAME]

SIGINT/SIGTERM stop it cleanly: the record is removed, the tunnel and the server closed.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path

from synth_ai.domain.task_apps.deployments import ServiceKind, ServiceRecord
from synth_ai.domain.tunnels.model import TunnelMode

log = logging.getLogger("synth_ai.deploy")


def new_service_id() -> str:
    return "svc_" + secrets.token_hex(4)


def run_deployment(
    *,
    task_app_path: str,
    services,
    record_id: str,
    host: str = "127.0.0.1",
    port: int = 8114,
    tunnel_mode: str = "none",
    tunnel_subdomain: str | None = None,
    tunnel_provider=None,
    log_path: str | None = None,
    on_ready: Callable[[ServiceRecord], None] | None = None,
) -> None:
    from synth_ai.task_app.in_process import InProcessTaskApp

    mode = TunnelMode.parse(tunnel_mode)
    path = str(Path(task_app_path).expanduser().resolve())
    with InProcessTaskApp(
        task_app_path=path,
        host=host,
        port=port,
        tunnel_mode=mode.value,
        tunnel_subdomain=tunnel_subdomain,
        tunnel_provider=tunnel_provider,
    ) as task_app:
        tunnel = task_app.tunnel
        record = ServiceRecord(
            id=record_id,
            url=task_app.url,
            port=task_app.port,
            type=ServiceKind.TUNNEL if tunnel else ServiceKind.LOCAL,
            pid=os.getpid(),
            created_at=time.time(),
            local_url=task_app.local_url,
            hostname=tunnel.hostname if tunnel else host,
            task_app_path=path,
            app_id=task_app.app_id,
            tunnel_mode=mode.value,
            tunnel_pid=getattr(tunnel, "pid", None),
            log_path=log_path,
        )
        services.add(record)
        try:
            if on_ready is not None:
                on_ready(record)
            while True:  # InProcessTaskApp turns SIGINT/SIGTERM into KeyboardInterrupt/SystemExit
                time.sleep(0.5)
        finally:
            services.remove(record.id)
            log.info(
                "deployment %s removed from %s", record.id, getattr(services, "path", "records")
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m synth_ai.task_app.runner")
    parser.add_argument("--task-app", required=True)
    parser.add_argument("--id", default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8114)
    parser.add_argument("--tunnel-mode", default="none")
    parser.add_argument("--tunnel-subdomain", default=None)
    parser.add_argument("--log-path", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from synth_ai.container import create_container
    from synth_ai.domain.errors import SynthError

    container = create_container()
    try:
        run_deployment(
            task_app_path=args.task_app,
            services=container.service_records(),
            record_id=args.id or new_service_id(),
            host=args.host,
            port=args.port,
            tunnel_mode=args.tunnel_mode,
            tunnel_subdomain=args.tunnel_subdomain,
            log_path=args.log_path,
            on_ready=lambda r: log.info("deployment %s ready at %s", r.id, r.url),
        )
    except SynthError as exc:
        log.error("%s", exc.message)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        container.shutdown_resources()
    return 0


if __name__ == "__main__":
    sys.exit(main())
