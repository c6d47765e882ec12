"""``cfaccounts members list|add|remove``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from .common import (
    BadArgument,
    Conflict,
    NotFound,
    database_option,
    emit,
    json_option,
    open_services,
    operation,
    table,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ..catalog import Catalogue

_account_option = click.option(
    "--account", "account_id", required=True, help="The account id."
)


@click.group()
def members() -> None:
    """List, add and remove the members of an account."""


@members.command("list")
@_account_option
@database_option
@json_option
@operation
def list_members(account_id: str, database_url: str | None, as_json: bool) -> None:
    """List the members of an account, with their roles by name."""
    from . import store, views

    services = open_services(database_url)
    with services.db.read() as conn:
        if store.account(conn, account_id) is None:
            raise NotFound(f"no account {account_id}")
        custom = {r.id: r.name for r in store.custom_roles(conn, account_id)}
        rows = [
            views.member(m, services.catalogue, custom)
            for m in store.members(conn, account_id)
        ]

    def text(v: list[dict[str, Any]]) -> str:
        shown = [{**m, "roles": [r["name"] for r in m["roles"]]} for m in v]
        return table(shown, ("id", "email", "status", "roles"))

    emit(rows, as_json, text)


def resolve_roles(
    conn: Connection, catalogue: Catalogue, account_id: str, given: tuple[str, ...]
) -> list[str]:
    """Role ids for ``--role`` values: a role id, or the name of a built-in role or
    of one of the account's custom roles (case-insensitive)."""
    from . import store

    custom = store.custom_roles(conn, account_id)
    by_name = {r.name.lower(): r.id for r in catalogue.roles}
    by_name.update({r.name.lower(): r.id for r in custom})
    ids = {r.id for r in catalogue.roles} | {r.id for r in custom}
    out = []
    for value in given:
        if value in ids:
            out.append(value)
        elif value.strip().lower() in by_name:
            out.append(by_name[value.strip().lower()])
        else:
            raise BadArgument(
                f"--role {value!r}: no such role (see the roles of the account with "
                "the API, or give a role id)"
            )
    return out


@members.command("add")
@_account_option
@click.option("--email", required=True, help="The member's email address.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="A role id or name (repeatable), e.g. 'Administrator Read Only'.",
)
@click.option(
    "--status",
    type=click.Choice(["accepted", "pending"]),
    default="accepted",
    show_default=True,
    help="accepted makes the user (created if new) a member at once; pending is an "
    "invitation.",
)
@database_option
@json_option
@operation
def add_member(
    account_id: str,
    email: str,
    roles: tuple[str, ...],
    status: str,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Add a member to an account with the given roles."""
    from ..ids import new_id
    from ..seeding import load_document
    from . import store, views

    services = open_services(database_url)
    with services.db.read() as conn:
        if store.account(conn, account_id) is None:
            raise NotFound(f"no account {account_id}")
        existing = store.member(conn, account_id, email)
        if existing is not None:
            raise Conflict(f"{email} is already member {existing.id} of {account_id}")
        role_ids = resolve_roles(conn, services.catalogue, account_id, roles)
    member_id = new_id()
    load_document(
        services.db,
        services.hasher,
        services.catalogue,
        {
            "accounts": [
                {
                    "id": account_id,
                    "members": [
                        {
                            "id": member_id,
                            "email": email,
                            "status": status,
                            "roles": role_ids,
                        }
                    ],
                }
            ]
        },
    )
    with services.db.read() as conn:
        custom = {r.id: r.name for r in store.custom_roles(conn, account_id)}
        out = views.member(
            store.member(conn, account_id, member_id), services.catalogue, custom
        )
    emit(
        out,
        as_json,
        lambda v: (
            f"added member {v['id']} ({v['email']}, {v['status']}) to {v['account_id']}"
        ),
    )


@members.command("remove")
@_account_option
@click.argument("member")
@database_option
@json_option
@operation
def remove_member(
    account_id: str, member: str, database_url: str | None, as_json: bool
) -> None:
    """Remove MEMBER (a member id or an email) from an account. The user and its
    tokens remain; its tokens lose their access to the account at once."""
    from . import store

    services = open_services(database_url)
    with services.db.write() as conn:
        if store.account(conn, account_id) is None:
            raise NotFound(f"no account {account_id}")
        row = store.member(conn, account_id, member)
        if row is None:
            raise NotFound(f"no member {member} in account {account_id}")
        store.delete_member(conn, row.id)
    emit(
        {"id": row.id, "email": row.email},
        as_json,
        lambda v: f"removed member {v['id']} ({v['email']})",
    )
