"""`disburse serve [--workers N]`: one process, or N uvicorn worker processes sharing one port.

With several workers the supervisor (this process) migrates nothing and serves nothing: it prepares the metrics
folder, loads the example if asked, runs the scheduler (one per host; across hosts the database lease picks the
one that fires) and lets uvicorn start, watch and restart the workers, each of which builds the app from the
environment (``main.worker_app``). Every worker has its own connection pool: size the database for
hosts x workers x (DISBURSE_DB_POOL_SIZE + DISBURSE_DB_MAX_OVERFLOW), see docs/operations.md.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_metrics_dir(path: str) -> Path:
    """Empty (or create) the folder the workers' metric files live in and point prometheus_client at it.

    Done before anything imports ``prometheus_client``, which picks its storage on import; an earlier run's files
    would otherwise be added to this run's counts.
    """
    if "prometheus_client" in sys.modules and not os.environ.get(MULTIPROC_ENV):
        raise RuntimeError("prometheus_client was imported before the metrics folder was chosen")
    folder = Path(path) if path else Path(tempfile.mkdtemp(prefix="disburse-metrics-"))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        elif child.suffix == ".db":
            child.unlink()
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def freeze_startup_heap() -> None:
    """Once the app is built: move every object alive now (modules, routes, compiled templates and statements, the
    container) into the collector's permanent generation. They live as long as the process, and a full collection
    would otherwise walk them all from inside whichever request it lands in: measured, one proof in 200 took 92 ms
    instead of 8 (benchmarks/ledger_proof.py). Objects made later are collected as before."""
    gc.collect()
    gc.freeze()


def cmd_serve(args: argparse.Namespace, wiring: Any) -> int:
    import uvicorn

    from adapters.cli.output import print_sign_ins

    settings = wiring.Settings.from_env()
    if args.profile:
        settings = replace(settings, profile=args.profile)
        os.environ["DISBURSE_PROFILE"] = args.profile  # the workers read their settings from the environment
    workers = args.workers or settings.workers
    if workers < 1:
        raise SystemExit("error: --workers must be 1 or more")
    if workers > 1 or settings.metrics_dir:
        prepare_metrics_dir(settings.metrics_dir)
    container = wiring.build(settings)
    if settings.profile:
        print(f"policy profile {settings.profile} ({container.policy['version']}): see docs/policy.md")
    if args.example and wiring.initialize(container, example=True):
        print(f"loaded the example agency into {container.settings.database_url}")
    host, port = args.host or container.settings.host, args.port or container.settings.port
    print_sign_ins(container.example_sign_ins, f"http://{host}:{port}/")
    scheduler = wiring.start_scheduler(container) if container.settings.scheduler else None
    try:
        if workers == 1:
            app = wiring.create_app(container)
            app.state.scheduler_state = lambda: "off" if scheduler is None else (
                "running" if scheduler.running else "stopped")
            freeze_startup_heap()
            uvicorn.Server(server_config(app, host, port, container.settings.trusted_proxies)).run()
        else:
            container.engine.dispose()  # the supervisor keeps no connections the workers do not need
            config = server_config("main:worker_app", host, port, container.settings.trusted_proxies, workers)
            from uvicorn.supervisors import Multiprocess

            sockets = [config.bind_socket()]
            if "target" in inspect.signature(Multiprocess).parameters:  # uvicorn before 0.50 passes the server in
                Multiprocess(config, target=uvicorn.Server(config).run, sockets=sockets).run()  # type: ignore[call-arg]
            else:
                Multiprocess(config, sockets=sockets).run()
    finally:
        if scheduler:
            scheduler.shutdown(wait=False)
    return 0


def server_config(app: Any, host: str, port: int, trusted_proxies: str, workers: int = 1) -> Any:
    """uvicorn's settings for ``disburse serve``. ``X-Forwarded-For``/``-Proto`` are believed only from the proxies
    the operator names (``DISBURSE_TRUSTED_PROXIES``, comma-separated addresses): uvicorn's own default trusts
    loopback, which gave anyone on the host a fresh sign-in rate-limit budget per forged address."""
    import uvicorn

    trusted = ",".join(p.strip() for p in trusted_proxies.split(",") if p.strip())
    return uvicorn.Config(app, host=host, port=port, log_config=None, proxy_headers=bool(trusted),
                          forwarded_allow_ips=trusted or "", workers=workers, factory=isinstance(app, str),
                          access_log=False)  # the app writes its own access line, with the request id
