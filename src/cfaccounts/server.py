"""Building the application and running it under uvicorn."""

from __future__ import annotations

import gc
import logging
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess

from . import __version__, faults, observability, ratelimit
from .api import admin_routes, api_routes
from .config import Settings
from .dashboard.requestlog import RequestLog
from .dashboard.routes import routes as dashboard
from .faults.rules import seed_file_rules
from .http.app import App
from .seeding import load_files
from .seeding.load import LoadReport
from .services import Services
from .storage import migrate
from .storage.database import Database
from .storage.state import is_empty

log = logging.getLogger("cfaccounts")

DEMO_CREDENTIALS = (
    "global key  X-Auth-Email: user@example.com"
    "  X-Auth-Key: 144c9defac04969c7bfad8efaa8ea194",
    "user token  Authorization: Bearer vLkX0nq2PfbM8Zc3T5rWy7Hs1Gd4Jk6Ne9Qa0Ubo"
    "  (Account Settings Read, from 127.0.0.1 and ::1)",
    "acct token  Authorization: Bearer cfat_Wq8Lr2Zx5Cv7Bn1Mk4Jh6Gf9Ds3Ap0Oi2Uy5Te8R"
    "  (Account Settings Read)",
    "account     023e105f4ecef8ad9ca31a8372d0c353  Demo Account",
)


class NotMigrated(RuntimeError):
    pass


def demo_seed_path() -> str:
    return str(resources.files("cfaccounts").joinpath("demo", "demo.yaml"))


def startup_seed_paths(settings: Settings) -> list[str]:
    return ([demo_seed_path()] if settings.demo else []) + list(settings.seeds)


def prepare_database(settings: Settings) -> Database:
    """Open the database and bring its schema up to date (unless told not to)."""
    db = Database(settings.database_url)
    if settings.migrate:
        migrate.upgrade(db.engine)
    elif not migrate.is_current(db.engine):
        db.dispose()
        raise NotMigrated(
            f"the database schema is not current; run: cfaccounts migrate --database "
            f"{db.display_url()}"
        )
    return db


def load_startup_seeds(services: Services, *, force: bool = False) -> LoadReport | None:
    """Load the start-up seeds into an empty database (or always, after a reset)."""
    paths = startup_seed_paths(services.settings)
    if not paths or not (force or is_empty(services.db)):
        return None
    return load_files(services.db, services.hasher, services.catalogue, paths)


def build_app(settings: Settings, *, seed: bool = True) -> App:
    """The ASGI application for these settings, with its database ready."""
    db = prepare_database(settings)
    services = Services.build(settings, db)
    if seed:
        services.seed_report = load_startup_seeds(services)
    metrics = observability.metrics_for(settings)
    app = App(
        services,
        api_routes(),
        [*admin_routes(), *dashboard.routes, *observability.routes(metrics)],
    )
    if settings.request_log_size > 0:
        services.request_log = RequestLog(settings.request_log_size, services.catalogue)
        app.on_request.append(services.request_log.hook)
    ratelimit.install(app)
    services.faults.extend(seed_file_rules(startup_seed_paths(settings)))
    faults.install(app, services.faults)
    observability.install(app, metrics)
    return app


def banner(app: App, url: str, out: TextIO = sys.stdout) -> None:
    settings = app.settings
    services = app.services
    lines = [
        f"cfaccounts {__version__} listening on {url}",
        f"  API base URL   {url}{settings.prefix}",
        f"  database       {services.db.display_url()}",
        f"  admin API      {'on' if settings.admin_token else 'off (no admin token)'}",
        *observability.banner_lines(app, url),
        f"  rate limits    {ratelimit.describe(settings)}",
    ]
    report = services.seed_report
    if settings.demo:
        lines.append(
            "  demo data      loaded"
            if report
            else "  demo data      kept from an earlier start"
        )
        lines += [f"    {c}" for c in DEMO_CREDENTIALS]
    for path in settings.seeds:
        lines.append(f"  seed file      {path}")
    if report is not None:
        lines.append(
            f"  loaded         {report.users} users, {report.accounts} accounts, "
            f"{report.members} members, {report.tokens} tokens"
        )
        for minted in report.minted:
            lines.append(
                f"    new token {minted['token_id']} ({minted['name']}): "
                f"{minted['value']}"
            )
    if settings.database_url.startswith("sqlite:///"):
        data_file = Path(services.db.url.database or "").resolve()
        lines.append(f"  data file      {data_file}")
    print("\n".join(lines), file=out, flush=True)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT: stop accepting connections, let in-flight
    requests finish (up to ``SHUTDOWN_GRACE`` seconds), then return (exit status 0).

    With ``settings.workers`` > 1 the listening socket is shared by that many worker
    processes, each with its own application and database engine; this process only
    supervises them (replacing a worker that dies)."""
    app = build_app(settings)
    sock = bind(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    banner(app, url)
    observability.log_startup(app, url)
    if settings.workers > 1:
        # The supervisor keeps no connection: the workers open their own.
        app.services.db.dispose()
        with observability.shared_metrics_dir():
            _run_workers(settings, sock)
        return
    server = uvicorn.Server(_uvicorn_config(app, settings))
    freeze_startup_objects()
    with _exit_quietly_on_signals():
        server.run(sockets=[sock])


def freeze_startup_objects() -> None:
    """Take what start-up made (modules, the catalogues, routes, the engine: about
    80,000 objects) out of the garbage collector's view. Otherwise every full
    collection walks all of it, a pause of tens of milliseconds in the middle of
    serving requests, for objects that live as long as the process anyway."""
    gc.collect()
    gc.freeze()


SHUTDOWN_GRACE = 30
WORKER_HEALTHCHECK_TIMEOUT = 30


def _uvicorn_config(app: Any, settings: Settings, **extra: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level=settings.log_level,
        access_log=False,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
        log_config=None,  # our handler formats uvicorn's records too
        # The client address decides token IP conditions and is what the audit log
        # records: never take it from X-Forwarded-For, which any local client can set.
        proxy_headers=False,
        **extra,
    )


@contextmanager
def _exit_quietly_on_signals() -> Iterator[None]:
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again
    # with the handler it found installed; with the default one the process would die
    # of the signal after a clean shutdown. This handler makes that second delivery a
    # no-op, so a clean shutdown exits 0.
    previous = {
        sig: signal.signal(sig, lambda *_: None)
        for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class WorkerApp:
    """The application factory each worker process calls (it is pickled to the
    worker): a worker builds its own app and engine, against a schema and seeds the
    supervisor already prepared."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings.with_(migrate=False, workers=1)

    def __call__(self) -> App:
        observability.configure_logging(
            self.settings.log_level, self.settings.log_format
        )
        app = build_app(self.settings, seed=False)
        freeze_startup_objects()
        return app


class _Supervisor(Multiprocess):
    def terminate_all(self) -> None:
        # Stop the kernel queueing new connections for workers that are leaving.
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def _run_workers(settings: Settings, sock: socket.socket) -> None:
    # The supervisor pings each worker and replaces one that does not answer in
    # time; a worker answers only once its imports are done, which on a loaded
    # machine takes far longer than uvicorn's default of 5 s.
    config = _uvicorn_config(
        WorkerApp(settings),
        settings,
        factory=True,
        workers=settings.workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_TIMEOUT,
    )
    supervisor = _Supervisor(config, sockets=[sock])
    supervisor.run()
    if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes):
        raise WorkerStartupFailed("a worker process failed to start; see the log")


class WorkerStartupFailed(RuntimeError):
    pass
