"""``cfaccounts accounts list|show|create|delete``."""

from __future__ import annotations

from typing import Any

import click

from .common import (
    BadArgument,
    Conflict,
    NotFound,
    confirm_or_stop,
    database_option,
    emit,
    fields,
    json_option,
    open_services,
    operation,
    table,
)

SUPER_ADMINISTRATOR = "Super Administrator - All Privileges"


@click.group()
def accounts() -> None:
    """List, show, create and delete accounts."""


@accounts.command("list")
@database_option
@json_option
@operation
def list_accounts(database_url: str | None, as_json: bool) -> None:
    """List every account (sorted by name), with its number of members."""
    from . import store, views

    services = open_services(database_url)
    with services.db.read() as conn:
        rows = [views.account(r) for r in store.accounts(conn)]
    emit(rows, as_json, lambda v: table(v, ("id", "name", "type", "members")))


@accounts.command("show")
@click.argument("account_id")
@database_option
@json_option
@operation
def show_account(account_id: str, database_url: str | None, as_json: bool) -> None:
    """Show an account, its members, custom roles and account-owned tokens."""
    from . import store, views

    services = open_services(database_url)
    with services.db.read() as conn:
        row = store.account(conn, account_id)
        if row is None:
            raise NotFound(f"no account {account_id}")
        out = views.account(row)
        roles = store.custom_roles(conn, account_id)
        custom = {r.id: r.name for r in roles}
        out["members"] = [
            views.member(m, services.catalogue, custom)
            for m in store.members(conn, account_id)
        ]
        out["custom_roles"] = [{"id": r.id, "name": r.name} for r in roles]
        out["tokens"] = [
            {"id": t.id, "name": t.name, "status": t.status}
            for t in store.tokens(conn, account_id=account_id)
        ]
    emit(out, as_json, _show_text)


def _show_text(v: dict[str, Any]) -> str:
    members = [
        {**m, "roles": [r["name"] for r in m["roles"]] or "policies"}
        for m in v["members"]
    ]
    return "\n".join(
        [
            fields(v, ("id", "name", "type", "created_on")),
            "\nmembers:",
            table(members, ("id", "email", "status", "roles")) if members else "  none",
            "\ncustom roles:",
            table(v["custom_roles"], ("id", "name")) if v["custom_roles"] else "  none",
            "\naccount-owned tokens:",
            table(v["tokens"], ("id", "name", "status")) if v["tokens"] else "  none",
        ]
    )


@accounts.command("create")
@click.option("--name", required=True, help="The account name.")
@click.option(
    "--type",
    "account_type",
    type=click.Choice(["standard", "enterprise"]),
    default="standard",
    show_default=True,
    help="The account type.",
)
@click.option(
    "--id", "account_id", help="The account id (32 lowercase hex); new if omitted."
)
@click.option(
    "--owner",
    help="Email of a user to add as a Super Administrator member (created if new).",
)
@database_option
@json_option
@operation
def create_account(
    name: str,
    account_type: str,
    account_id: str | None,
    owner: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Create an account, optionally with its first member."""
    from ..ids import new_id
    from ..seeding import load_document
    from . import store, views

    if not name.strip():
        raise BadArgument("--name must not be empty")
    services = open_services(database_url)
    account_id = account_id or new_id()
    with services.db.read() as conn:
        if store.account(conn, account_id) is not None:
            raise Conflict(f"account {account_id} exists already")
    doc: dict[str, Any] = {"id": account_id, "name": name, "type": account_type}
    if owner:
        role = next(
            r for r in services.catalogue.roles if r.name == SUPER_ADMINISTRATOR
        )
        doc["members"] = [{"email": owner, "status": "accepted", "roles": [role.id]}]
    load_document(services.db, services.hasher, services.catalogue, {"accounts": [doc]})
    with services.db.read() as conn:
        out = views.account(store.account(conn, account_id))
    emit(out, as_json, lambda v: f"created account {v['id']} ({v['name']})")


@accounts.command("delete")
@click.argument("account_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@database_option
@json_option
@operation
def delete_account(
    account_id: str, yes: bool, database_url: str | None, as_json: bool
) -> None:
    """Delete an account with its members, roles and account-owned tokens."""
    from . import store

    services = open_services(database_url)
    with services.db.read() as conn:
        row = store.account(conn, account_id)
    if row is None:
        raise NotFound(f"no account {account_id}")
    confirm_or_stop(
        yes, f"Delete account {account_id} ({row.name}) and everything in it?"
    )
    with services.db.write() as conn:
        if store.account(conn, account_id) is None:
            raise NotFound(f"no account {account_id}")
        store.delete_account(conn, account_id)
    emit({"id": account_id}, as_json, lambda v: f"deleted account {v['id']}")
