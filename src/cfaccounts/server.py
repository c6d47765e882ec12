"""Building the application and running it under uvicorn."""

from __future__ import annotations

import logging
import socket
import sys
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import uvicorn

from . import __version__
from .api import admin_routes, api_routes
from .config import Settings
from .http.app import App
from .seeding import load_files
from .seeding.load import LoadReport
from .services import Services
from .storage import migrate
from .storage.database import Database
from .storage.state import is_empty

log = logging.getLogger("cfaccounts")

DEMO_CREDENTIALS = (
    "global key  X-Auth-Email: user@example.com  X-Auth-Key: 144c9defac04969c7bfad8efaa8ea194",
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
    app = App(services, api_routes(), admin_routes())
    app.on_request.append(_access_log)
    return app


def _access_log(req: Any, resp: Any, elapsed: float) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    principal = req.principal
    log.info(
        "%s %s %s %.1fms cf-ray=%s credential=%s",
        req.method,
        req.route.template if req.route else req.path.split("?", 1)[0],
        resp.status,
        elapsed * 1000,
        req.ray,
        f"{principal.kind}:{principal.credential_id}" if principal else "-",
    )


def banner(app: App, url: str, out: TextIO = sys.stdout) -> None:
    settings = app.settings
    services = app.services
    lines = [
        f"cfaccounts {__version__} listening on {url}",
        f"  API base URL   {url}{settings.prefix}",
        f"  database       {services.db.display_url()}",
        f"  admin API      {'on' if settings.admin_token else 'off (no admin token)'}",
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
                f"    new token {minted['token_id']} ({minted['name']}): {minted['value']}"
            )
    if settings.database_url.startswith("sqlite:///"):
        path = Path(services.db.url.database or "").resolve()
        lines.append(f"  data file      {path}")
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
    """Serve until interrupted. SIGTERM finishes in-flight requests, then exits 0."""
    app = build_app(settings)
    sock = bind(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    banner(app, url)
    config = uvicorn.Config(
        app,
        log_level=settings.log_level,
        access_log=False,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=30,
    )
    uvicorn.Server(config).run(sockets=[sock])
