"""``cfaccounts tokens list|show|create|revoke``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from .common import (
    BadArgument,
    NotFound,
    database_option,
    dump_json,
    emit,
    fields,
    json_option,
    open_services,
    operation,
    table,
)

if TYPE_CHECKING:
    from ..catalog import Catalogue


@click.group()
def tokens() -> None:
    """List, show, create and revoke API tokens (user tokens and account-owned
    tokens)."""


@tokens.command("list")
@click.option("--user", help="Only the tokens of this user (id or email).")
@click.option("--account", "account_id", help="Only this account's own tokens.")
@database_option
@json_option
@operation
def list_tokens(
    user: str | None, account_id: str | None, database_url: str | None, as_json: bool
) -> None:
    """List tokens: all of them, or a user's, or an account's."""
    from . import store, views

    if user and account_id:
        raise BadArgument("give --user or --account, not both")
    services = open_services(database_url)
    with services.db.read() as conn:
        user_id = None
        if user:
            row = store.user(conn, user)
            if row is None:
                raise NotFound(f"no user {user}")
            user_id = row.id
        if account_id and store.account(conn, account_id) is None:
            raise NotFound(f"no account {account_id}")
        rows = [
            views.token(t, services.catalogue)
            for t in store.tokens(conn, user_id=user_id, account_id=account_id)
        ]
    emit(
        rows,
        as_json,
        lambda v: table(
            [{**t, "owner": t["user_id"] or t["account_id"]} for t in v],
            ("id", "kind", "owner", "name", "status", "expires_on"),
        ),
    )


@tokens.command("show")
@click.argument("token_id")
@database_option
@json_option
@operation
def show_token(token_id: str, database_url: str | None, as_json: bool) -> None:
    """Show a token: its owner, status, dates, policies (with permission-group
    names) and condition. Never its value."""
    from . import store, views

    services = open_services(database_url)
    with services.db.read() as conn:
        row = store.token(conn, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    emit(views.token(row, services.catalogue), as_json, _show_text)


def _show_text(v: dict[str, Any]) -> str:
    keys = ["id", "kind", "name", "status", "user_id", "account_id"]
    keys += ["issued_on", "modified_on", "last_used_on", "not_before", "expires_on"]
    lines = [fields(v, keys), "\npolicies:"]
    for p in v["policies"]:
        groups = ", ".join(g.get("name", g["id"]) for g in p["permission_groups"])
        lines.append(f"  {p['effect']} {groups}")
        lines.append(f"    on {', '.join(p['resources'])}")
    if v["condition"]:
        lines.append(f"\ncondition: {dump_json(v['condition'])}")
    return "\n".join(lines)


def resolve_groups(
    catalogue: Catalogue, given: tuple[str, ...], scope: str
) -> list[dict[str, str]]:
    """Permission groups for ``--group`` values: an id, or a name (a name found at
    several scopes is taken at ``scope``)."""
    out = []
    for value in given:
        if value in catalogue.groups_by_id:
            out.append({"id": value})
            continue
        named = [g for g in catalogue.groups if g.name.lower() == value.strip().lower()]
        if len(named) > 1:
            named = [g for g in named if g.scope == scope] or named[:0]
        if len(named) != 1:
            raise BadArgument(
                f"--group {value!r}: no such permission group"
                if not named
                else f"--group {value!r}: ambiguous; give its id"
            )
        out.append({"id": named[0].id})
    return out


@tokens.command("create")
@click.option("--user", help="Create a user token owned by this user (id or email).")
@click.option(
    "--account", "account_id", help="Create an account-owned token of this account."
)
@click.option("--name", required=True, help="The token name.")
@click.option(
    "--group",
    "groups",
    multiple=True,
    help="A permission group name or id to allow (repeatable).",
)
@click.option(
    "--on-account",
    "on_accounts",
    multiple=True,
    help="For a user token: an account id the groups apply to (repeatable).",
)
@click.option(
    "--on-user",
    is_flag=True,
    help="For a user token: the groups apply to the user itself (/user routes).",
)
@click.option(
    "--policies",
    "policies_file",
    type=click.File("r"),
    help="A JSON file (or - for standard input) with the policies, as the API "
    "takes them, instead of --group.",
)
@click.option("--not-before", help="RFC 3339 time before which the token is refused.")
@click.option("--expires-on", help="RFC 3339 time from which the token is refused.")
@click.option(
    "--allow-ip", multiple=True, help="Accept the token only from this CIDR range."
)
@click.option("--deny-ip", multiple=True, help="Refuse the token from this range.")
@database_option
@json_option
@operation
def create_token(
    user: str | None,
    account_id: str | None,
    name: str,
    groups: tuple[str, ...],
    on_accounts: tuple[str, ...],
    on_user: bool,
    policies_file: Any,
    not_before: str | None,
    expires_on: str | None,
    allow_ip: tuple[str, ...],
    deny_ip: tuple[str, ...],
    database_url: str | None,
    as_json: bool,
) -> None:
    """Create a token. Its value is printed here, once: only its hash is kept."""
    import orjson

    from ..catalog import ACCOUNT_SCOPE, USER_SCOPE
    from ..ids import new_id
    from ..seeding import load_document
    from . import store, views

    if bool(user) == bool(account_id):
        raise BadArgument("give exactly one of --user and --account")
    if bool(groups) == bool(policies_file):
        raise BadArgument("give either --group or --policies")
    if account_id and (on_accounts or on_user):
        raise BadArgument(
            "--on-account and --on-user are for user tokens; an account token "
            "acts on its own account"
        )
    services = open_services(database_url)
    with services.db.read() as conn:
        owner = None
        if user:
            owner = store.user(conn, user)
            if owner is None:
                raise NotFound(f"no user {user}")
        elif store.account(conn, str(account_id)) is None:
            raise NotFound(f"no account {account_id}")
    if policies_file is not None:
        try:
            policies = orjson.loads(policies_file.read())
        except orjson.JSONDecodeError as exc:
            raise BadArgument(f"--policies: not valid JSON: {exc}") from None
    else:
        if owner is not None and not (on_accounts or on_user):
            raise BadArgument("a user token needs --on-account ID or --on-user")
        resources = [
            f"com.cloudflare.api.account.{a}" for a in on_accounts or [account_id]
        ]
        if on_user and owner is not None:
            resources = [f"com.cloudflare.api.user.{owner.id}"]
            if on_accounts:
                raise BadArgument("give --on-account or --on-user, not both")
        scope = USER_SCOPE if on_user else ACCOUNT_SCOPE
        policies = [
            {
                "effect": "allow",
                "resources": dict.fromkeys(resources, "*"),
                "permission_groups": resolve_groups(services.catalogue, groups, scope),
            }
        ]
    token: dict[str, Any] = {"id": new_id(), "name": name, "policies": policies}
    condition: dict[str, Any] = {}
    if allow_ip:
        condition.setdefault("request_ip", {})["in"] = list(allow_ip)
    if deny_ip:
        condition.setdefault("request_ip", {})["not_in"] = list(deny_ip)
    if condition:
        token["condition"] = condition
    if not_before:
        token["not_before"] = not_before
    if expires_on:
        token["expires_on"] = expires_on
    if owner is not None:
        doc = {"users": [{"id": owner.id, "email": owner.email, "tokens": [token]}]}
    else:
        doc = {"accounts": [{"id": account_id, "tokens": [token]}]}
    report = load_document(services.db, services.hasher, services.catalogue, doc)
    with services.db.read() as conn:
        out = views.token(store.token(conn, token["id"]), services.catalogue)
    out["value"] = report.minted[0]["value"]
    emit(
        out,
        as_json,
        lambda v: (
            f"created {v['kind']} token {v['id']} ({v['name']})\n"
            f"value (shown once): {v['value']}"
        ),
    )


@tokens.command("revoke")
@click.argument("token_id")
@database_option
@json_option
@operation
def revoke_token(token_id: str, database_url: str | None, as_json: bool) -> None:
    """Revoke a token: it is deleted, and refused by a running server within a
    second."""
    from . import store

    services = open_services(database_url)
    with services.db.write() as conn:
        row = store.token(conn, token_id)
        if row is None:
            raise NotFound(f"no token {token_id}")
        store.delete_token(conn, token_id)
    emit(
        {"id": token_id, "name": row.name},
        as_json,
        lambda v: f"revoked token {v['id']} ({v['name']})",
    )
