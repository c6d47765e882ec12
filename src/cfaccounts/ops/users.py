"""``cfaccounts users list|show|create``."""

from __future__ import annotations

from typing import Any

import click

from .common import (
    BadArgument,
    Conflict,
    NotFound,
    database_option,
    emit,
    fields,
    json_option,
    open_services,
    operation,
    table,
)


@click.group()
def users() -> None:
    """List, show and create users."""


@users.command("list")
@database_option
@json_option
@operation
def list_users(database_url: str | None, as_json: bool) -> None:
    """List every user (sorted by email)."""
    from . import store, views

    services = open_services(database_url)
    with services.db.read() as conn:
        rows = [views.user(r) for r in store.users(conn)]
    emit(
        rows,
        as_json,
        lambda v: table(v, ("id", "email", "first_name", "last_name", "api_key")),
    )


@users.command("show")
@click.argument("user")
@database_option
@json_option
@operation
def show_user(user: str, database_url: str | None, as_json: bool) -> None:
    """Show USER (an id or an email), its memberships and its tokens."""
    import orjson

    from . import store, views

    services = open_services(database_url)
    cat = services.catalogue
    with services.db.read() as conn:
        row = store.user(conn, user)
        if row is None:
            raise NotFound(f"no user {user}")
        out = views.user(row)
        out["memberships"] = []
        for m in store.memberships(conn, row.email):
            custom = {r.id: r.name for r in store.custom_roles(conn, m.account_id)}
            out["memberships"].append(
                {
                    "member_id": m.id,
                    "account_id": m.account_id,
                    "account_name": m.name,
                    "status": m.status,
                    "roles": views.role_names(orjson.loads(m.roles), cat, custom),
                }
            )
        out["tokens"] = [
            {"id": t.id, "name": t.name, "status": t.status}
            for t in store.tokens(conn, user_id=row.id)
        ]
    emit(out, as_json, _show_text)


def _show_text(v: dict[str, Any]) -> str:
    parts = [fields(v, ("id", "email", "first_name", "last_name", "api_key"))]
    parts.append(fields(v, ("suspended", "created_on")))
    parts.append("\nmemberships:")
    parts.append(
        table(v["memberships"], ("account_id", "account_name", "status", "roles"))
        if v["memberships"]
        else "  none"
    )
    parts.append("\ntokens:")
    parts.append(
        table(v["tokens"], ("id", "name", "status")) if v["tokens"] else "  none"
    )
    return "\n".join(parts)


@users.command("create")
@click.option("--email", required=True, help="The user's email address (unique).")
@click.option("--first-name", help="First name.")
@click.option("--last-name", help="Last name.")
@click.option("--id", "user_id", help="The user id (32 lowercase hex); new if omitted.")
@click.option(
    "--api-key",
    help="Give the user this global API key (32 to 45 lowercase hex characters).",
)
@click.option(
    "--generate-api-key",
    is_flag=True,
    help="Give the user a new global API key, printed once.",
)
@database_option
@json_option
@operation
def create_user(
    email: str,
    first_name: str | None,
    last_name: str | None,
    user_id: str | None,
    api_key: str | None,
    generate_api_key: bool,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Create a user. Its global API key, when one is generated, is printed here
    once and kept only as a hash."""
    import secrets

    from ..ids import new_id
    from ..seeding import load_document
    from . import store, views

    if api_key and generate_api_key:
        raise BadArgument("give --api-key or --generate-api-key, not both")
    if generate_api_key:
        api_key = secrets.token_hex(16)
    services = open_services(database_url)
    with services.db.read() as conn:
        existing = store.user_by_email(conn, email)
        if existing is not None:
            raise Conflict(f"a user with email {email} exists already: {existing.id}")
        if user_id and store.user(conn, user_id) is not None:
            raise Conflict(f"user {user_id} exists already")
    doc: dict[str, Any] = {"id": user_id or new_id(), "email": email}
    for key, value in (
        ("first_name", first_name),
        ("last_name", last_name),
        ("api_key", api_key),
    ):
        if value is not None:
            doc[key] = value
    load_document(services.db, services.hasher, services.catalogue, {"users": [doc]})
    with services.db.read() as conn:
        out = views.user(store.user(conn, doc["id"]))
    if generate_api_key:
        out["api_key_value"] = api_key
    emit(out, as_json, _created_text)


def _created_text(v: dict[str, Any]) -> str:
    line = f"created user {v['id']} ({v['email']})"
    if "api_key_value" in v:
        line += f"\nglobal API key (shown once): {v['api_key_value']}"
    return line
