"""The ``cfaccounts`` command."""

from __future__ import annotations

import sys

import click

from . import __version__
from .config import Settings
from .ops import register as register_operator_commands

_db_option = click.option(
    "--database",
    "database_url",
    envvar="CFACCOUNTS_DATABASE_URL",
    help="SQLAlchemy URL of the database [default: sqlite:///cfaccounts.sqlite3].",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cfaccounts")
def main() -> None:
    """cfaccounts: the Cloudflare API v4 Accounts family (accounts, members, roles,
    API tokens, user), served from your own machine."""


@main.command()
@click.option("--host", help="Address to listen on [default: 127.0.0.1].")
@click.option(
    "--port", type=int, help="Port to listen on; 0 picks a free one [default: 8787]."
)
@_db_option
@click.option(
    "--seed",
    "seeds",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Seed file (JSON or YAML) loaded into an empty database; repeatable.",
)
@click.option(
    "--demo",
    is_flag=True,
    default=None,
    help="Load the demo data (Cloudflare's documentation examples) into an empty"
    " database.",
)
@click.option(
    "--admin-token",
    envvar="CFACCOUNTS_ADMIN_TOKEN",
    help="Bearer token that unlocks the admin API under /_cfaccounts.",
)
@click.option(
    "--admin-allow-remote",
    is_flag=True,
    default=None,
    help="Let clients other than loopback reach the admin API (never on a network "
    "you do not trust) [env CFACCOUNTS_ADMIN_ALLOW_REMOTE].",
)
@click.option(
    "--rate-limit",
    metavar="default|QUOTA/SECONDS|off",
    help="Limit requests per user and per account token as the real API does: "
    "'default' is 1200 per 300 s [default: off; env CFACCOUNTS_RATE_LIMIT].",
)
@click.option(
    "--redis-url",
    help="Count rate limits in this Redis (redis://127.0.0.1:6379/0), shared by "
    "every worker and server using it [default: each process counts on its own; "
    "env CFACCOUNTS_REDIS_URL].",
)
@click.option(
    "--prefix", help="Path prefix of the API [default: /client/v4]; '' for none."
)
@click.option(
    "--no-migrate", is_flag=True, help="Do not apply schema migrations at start."
)
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]))
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    help="Log lines as readable text or as JSON objects [default: text; env "
    "CFACCOUNTS_LOG_FORMAT].",
)
@click.option(
    "--no-metrics",
    is_flag=True,
    help="Do not serve Prometheus metrics at /_cfaccounts/metrics.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    envvar="CFACCOUNTS_WORKERS",
    help="Worker processes sharing the port, each with its own database connections "
    "[default: 1].",
)
def serve(**options: object) -> None:
    """Run the API server."""
    from .observability.logs import configure_logging
    from .server import NotMigrated, WorkerStartupFailed, run

    no_migrate = options.pop("no_migrate")
    options_no_metrics = options.pop("no_metrics")
    seeds: tuple[str, ...] = options.pop("seeds")  # type: ignore[assignment]
    settings = Settings.from_env(**options)  # type: ignore[arg-type]
    if seeds:
        settings = settings.with_(seeds=tuple(seeds))
    if no_migrate:
        settings = settings.with_(migrate=False)
    from .ratelimit import Policy, PolicyError

    try:
        Policy.parse(settings.rate_limit)
    except PolicyError as exc:
        raise click.BadParameter(str(exc), param_hint="--rate-limit") from None
    if options_no_metrics:
        settings = settings.with_(metrics=False)
    configure_logging(settings.log_level, settings.log_format)
    try:
        run(settings)
    except (NotMigrated, WorkerStartupFailed) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}"
        ) from None


@main.command()
@_db_option
def migrate(database_url: str | None) -> None:
    """Apply schema migrations to the database."""
    from sqlalchemy.exc import OperationalError

    from .storage import migrate as migrations
    from .storage.database import Database

    db = Database(Settings.from_env(database_url=database_url).database_url)
    try:
        before = migrations.current(db.engine)
        migrations.upgrade(db.engine)
        after = migrations.current(db.engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        raise click.ClickException(
            f"{db.display_url()}: cannot migrate: {reason}"
        ) from None
    finally:
        db.dispose()
    click.echo(f"{db.display_url()}: schema {before or 'empty'} -> {after}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_db_option
def seed(files: tuple[str, ...], database_url: str | None) -> None:
    """Load seed files into a database, without a server (an upsert by id)."""
    from .seeding import SeedError, load_files
    from .server import prepare_database
    from .services import Services

    settings = Settings.from_env(database_url=database_url)
    services = Services.build(settings, prepare_database(settings))
    click.get_current_context().call_on_close(services.db.dispose)
    try:
        report = load_files(
            services.db, services.hasher, services.catalogue, list(files)
        )
    except SeedError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"loaded {report.users} users, {report.accounts} accounts, "
        f"{report.members} members, {report.tokens} tokens"
    )
    for minted in report.minted:
        click.echo(
            f"new token {minted['token_id']} ({minted['name']}): {minted['value']}"
        )
    if report.faults:
        click.echo(
            f"{len(report.faults)} fault rules checked but not stored: they apply "
            "only to a running server (serve --seed, or POST /_cfaccounts/seed)"
        )


register_operator_commands(main)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
