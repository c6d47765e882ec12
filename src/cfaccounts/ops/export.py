"""``cfaccounts export``: the whole state as a seed document."""

from __future__ import annotations

import click

from .common import database_option, dump_json, open_services, operation


@click.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="Write to this file [default: standard output].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "yaml"]),
    help="Output format [default: from the file name, else json].",
)
@database_option
@operation
def export(output: str, fmt: str | None, database_url: str | None) -> None:
    """Export every user, account, member, role and token as a seed document that
    ``cfaccounts seed`` loads back. Secrets are exported only as their hashes, which
    are valid only with the same secret key: the one kept in the database, or
    CFACCOUNTS_SECRET_KEY."""
    from ..seeding import export_state

    services = open_services(database_url)
    with services.db.read() as conn:
        doc = export_state(conn)
    if fmt is None:
        fmt = "yaml" if output.endswith((".yaml", ".yml")) else "json"
    if fmt == "yaml":
        import yaml

        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    else:
        text = dump_json(doc) + "\n"
    with click.open_file(output, "w", encoding="utf-8") as out:
        out.write(text)
    if output != "-":
        click.echo(
            f"exported {len(doc['users'])} users and {len(doc['accounts'])} accounts "
            f"to {output}",
            err=True,
        )
    if not services.settings.secret_key:
        click.echo(
            "note: the credentials in this export work only on a database with the "
            "same secret key (this one keeps its key in the database; set "
            "CFACCOUNTS_SECRET_KEY on both to move them)",
            err=True,
        )
