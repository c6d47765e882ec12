"""The operator commands on a database: users, accounts, members and tokens, with
JSON output and exit codes that say what happened."""

from __future__ import annotations

import json

import pytest

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_ID,
    DEMO_USER_TOKEN,
    DEMO_USER_TOKEN_ID,
    SUPER_ADMIN_ROLE,
)
from .conftest import Run, as_json, authenticates

OTHER = "0f0e0d0c0b0a09080706050403020100"
MISSING = "00000000000000000000000000000000"


# -- users -------------------------------------------------------------------------
def test_users_list_shows_every_user_and_no_secret(cli: Run) -> None:
    users = as_json(cli("users", "list", "--json"))
    assert [u["email"] for u in users] == [DEMO_EMAIL, "viewer@example.com"]
    assert users[0]["api_key"] is True
    text = json.dumps(users)
    assert DEMO_KEY not in text and "hash" not in text


def test_users_show_by_email_or_id_lists_memberships_by_role_name(cli: Run) -> None:
    by_email = as_json(cli("users", "show", DEMO_EMAIL, "--json"))
    by_id = as_json(cli("users", "show", DEMO_USER_ID, "--json"))
    assert by_email == by_id
    assert by_email["memberships"] == [
        {
            "member_id": "4536bcfad5faccb111b47003c79917fa",
            "account_id": DEMO_ACCOUNT,
            "account_name": "Demo Account",
            "status": "accepted",
            "roles": ["Super Administrator - All Privileges"],
        }
    ]
    assert [t["id"] for t in by_email["tokens"]] == [DEMO_USER_TOKEN_ID]


def test_users_show_of_an_unknown_user_exits_1(cli: Run) -> None:
    result = cli("users", "show", "nobody@example.com")
    assert result.exit_code == 1
    assert "no user nobody@example.com" in result.stderr


def test_users_create_with_a_generated_key_prints_it_once_and_it_works(
    cli: Run, db: str
) -> None:
    created = as_json(
        cli(
            "users",
            "create",
            "--email",
            "New@Example.com",
            "--generate-api-key",
            "--json",
        )
    )
    assert created["email"] == "new@example.com"
    key = created["api_key_value"]
    assert authenticates(db, {"X-Auth-Email": "new@example.com", "X-Auth-Key": key})
    shown = cli("users", "show", "new@example.com", "--json")
    assert key not in shown.stdout


def test_users_create_of_an_existing_email_is_a_conflict(cli: Run) -> None:
    result = cli("users", "create", "--email", DEMO_EMAIL)
    assert result.exit_code == 3
    assert DEMO_USER_ID in result.stderr


def test_users_create_with_a_malformed_key_is_a_bad_argument(cli: Run) -> None:
    result = cli("users", "create", "--email", "a@example.com", "--api-key", "short")
    assert result.exit_code == 2
    assert "api_key" in result.stderr


# -- accounts ------------------------------------------------------------------------
def test_accounts_create_with_an_owner_then_show(cli: Run, db: str) -> None:
    created = as_json(
        cli(
            "accounts",
            "create",
            "--name",
            "Ops Account",
            "--id",
            OTHER,
            "--owner",
            "owner@example.com",
            "--json",
        )
    )
    assert created["id"] == OTHER and created["type"] == "standard"
    shown = as_json(cli("accounts", "show", OTHER, "--json"))
    assert [(m["email"], m["roles"][0]["id"]) for m in shown["members"]] == [
        ("owner@example.com", SUPER_ADMIN_ROLE)
    ]
    listed = as_json(cli("accounts", "list", "--json"))
    assert {a["name"]: a["members"] for a in listed} == {
        "Demo Account": 2,
        "Ops Account": 1,
    }


def test_accounts_create_with_an_existing_id_is_a_conflict(cli: Run) -> None:
    result = cli("accounts", "create", "--name", "Again", "--id", DEMO_ACCOUNT)
    assert result.exit_code == 3


def test_accounts_create_with_a_bad_type_is_a_usage_error(cli: Run) -> None:
    result = cli("accounts", "create", "--name", "X", "--type", "gold")
    assert result.exit_code == 2
    assert "--type" in result.stderr


def test_accounts_delete_needs_yes_without_a_terminal(cli: Run) -> None:
    result = cli("accounts", "delete", DEMO_ACCOUNT)
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert cli("accounts", "show", DEMO_ACCOUNT).exit_code == 0


def test_accounts_delete_removes_its_members_and_tokens(cli: Run, db: str) -> None:
    assert as_json(cli("accounts", "delete", DEMO_ACCOUNT, "--yes", "--json")) == {
        "id": DEMO_ACCOUNT
    }
    assert cli("accounts", "show", DEMO_ACCOUNT).exit_code == 1
    assert as_json(cli("tokens", "list", "--json"))[0]["kind"] == "user"
    assert len(as_json(cli("tokens", "list", "--json"))) == 1
    assert as_json(cli("users", "show", DEMO_EMAIL, "--json"))["memberships"] == []
    assert cli("accounts", "delete", DEMO_ACCOUNT, "--yes").exit_code == 1


# -- members -------------------------------------------------------------------------
def test_members_add_by_role_name_list_and_remove(cli: Run, db: str) -> None:
    added = as_json(
        cli(
            "members",
            "add",
            "--account",
            DEMO_ACCOUNT,
            "--email",
            "ops@example.com",
            "--role",
            "administrator read only",
            "--role",
            "Account Reader",  # the demo account's custom role
            "--json",
        )
    )
    assert [r["name"] for r in added["roles"]] == [
        "Administrator Read Only",
        "Account Reader",
    ]
    assert added["user_id"]  # an accepted member's user is created
    emails = [
        m["email"]
        for m in as_json(cli("members", "list", "--account", DEMO_ACCOUNT, "--json"))
    ]
    assert "ops@example.com" in emails
    removed = cli("members", "remove", "--account", DEMO_ACCOUNT, "ops@example.com")
    assert removed.exit_code == 0
    assert (
        "ops@example.com"
        not in cli("members", "list", "--account", DEMO_ACCOUNT).stdout
    )
    again = cli("members", "remove", "--account", DEMO_ACCOUNT, "ops@example.com")
    assert again.exit_code == 1


def test_members_add_twice_is_a_conflict(cli: Run) -> None:
    result = cli(
        "members", "add", "--account", DEMO_ACCOUNT, "--email", DEMO_EMAIL,
        "--role", "Administrator",
    )  # fmt: skip
    assert result.exit_code == 3


def test_members_add_with_an_unknown_role_is_a_bad_argument(cli: Run) -> None:
    result = cli(
        "members", "add", "--account", DEMO_ACCOUNT, "--email", "x@example.com",
        "--role", "Chief Everything Officer",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Chief Everything Officer" in result.stderr


def test_members_of_an_unknown_account_is_not_found(cli: Run) -> None:
    assert cli("members", "list", "--account", MISSING).exit_code == 1


def test_members_add_without_a_role_is_a_usage_error(cli: Run) -> None:
    result = cli(
        "members", "add", "--account", DEMO_ACCOUNT, "--email", "x@example.com"
    )
    assert result.exit_code == 2
    assert "--role" in result.stderr


# -- tokens --------------------------------------------------------------------------
def test_tokens_create_prints_the_value_once_and_it_authenticates(
    cli: Run, db: str
) -> None:
    created = as_json(
        cli(
            "tokens",
            "create",
            "--user",
            DEMO_EMAIL,
            "--name",
            "ci",
            "--group",
            "Account Settings Write",
            "--on-account",
            DEMO_ACCOUNT,
            "--allow-ip",
            "127.0.0.0/8",
            "--json",
        )
    )
    value = created["value"]
    assert value.startswith("cfut_")
    assert created["policies"][0]["permission_groups"][0]["name"] == (
        "Account Settings Write"
    )
    assert created["condition"] == {"request_ip": {"in": ["127.0.0.0/8"]}}
    assert authenticates(db, {"Authorization": f"Bearer {value}"})
    shown = cli("tokens", "show", created["id"], "--json")
    assert value not in shown.stdout and "hash" not in shown.stdout
    assert cli("tokens", "revoke", created["id"]).exit_code == 0
    assert not authenticates(db, {"Authorization": f"Bearer {value}"})
    assert cli("tokens", "show", created["id"]).exit_code == 1


def test_tokens_create_for_an_account(cli: Run, db: str) -> None:
    created = as_json(
        cli(
            "tokens",
            "create",
            "--account",
            DEMO_ACCOUNT,
            "--name",
            "deploy",
            "--group",
            "c1fde68c7bcc44588cbb6ddbc16d6480",
            "--json",
        )
    )
    assert created["kind"] == "account" and created["value"].startswith("cfat_")
    assert created["policies"][0]["resources"] == {
        f"com.cloudflare.api.account.{DEMO_ACCOUNT}": "*"
    }
    listed = as_json(cli("tokens", "list", "--account", DEMO_ACCOUNT, "--json"))
    assert created["id"] in [t["id"] for t in listed]
    assert all(t["kind"] == "account" for t in listed)


def test_tokens_create_from_a_policies_file(cli: Run) -> None:
    policies = [
        {
            "effect": "allow",
            "resources": {f"com.cloudflare.api.user.{DEMO_USER_ID}": "*"},
            "permission_groups": [{"id": "8acbe5bb0d54464ab867149d7f7cf8ac"}],
        }
    ]
    result = cli(
        "tokens", "create", "--user", DEMO_USER_ID, "--name", "from file",
        "--policies", "-", "--json", input=json.dumps(policies),
    )  # fmt: skip
    created = as_json(result)
    assert created["policies"][0]["resources"] == policies[0]["resources"]
    assert created["policies"][0]["permission_groups"][0]["name"] == (
        "User Details Read"
    )


def test_tokens_create_on_the_user_takes_group_names_at_user_scope(cli: Run) -> None:
    created = as_json(
        cli(
            "tokens",
            "create",
            "--user",
            DEMO_EMAIL,
            "--name",
            "me",
            "--group",
            "User Details Read",
            "--on-user",
            "--json",
        )
    )
    assert created["policies"][0]["permission_groups"][0]["id"] == (
        "8acbe5bb0d54464ab867149d7f7cf8ac"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--name", "x", "--group", "Account Settings Read"), "exactly one"),
        (("--user", DEMO_EMAIL, "--name", "x", "--group", "Account Settings Read"),
         "--on-account"),
        (("--user", DEMO_EMAIL, "--name", "x", "--on-user"), "--group"),
        (("--user", DEMO_EMAIL, "--name", "x", "--group", "No Such Group",
          "--on-account", DEMO_ACCOUNT), "No Such Group"),
        (("--account", DEMO_ACCOUNT, "--name", "x", "--group", "Account Settings Read",
          "--expires-on", "tomorrow"), "expires_on"),
    ],
    ids=["no owner", "no scope", "no group", "unknown group", "bad time"],
)  # fmt: skip
def test_tokens_create_with_bad_arguments_exits_2(
    cli: Run, args: tuple[str, ...], message: str
) -> None:
    result = cli("tokens", "create", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_tokens_create_for_an_unknown_user_is_not_found(cli: Run) -> None:
    result = cli(
        "tokens", "create", "--user", "ghost@example.com", "--name", "x",
        "--group", "Account Settings Read", "--on-account", DEMO_ACCOUNT,
    )  # fmt: skip
    assert result.exit_code == 1


def test_the_demo_token_is_listed_for_its_user(cli: Run, db: str) -> None:
    listed = as_json(cli("tokens", "list", "--user", DEMO_EMAIL, "--json"))
    assert [t["id"] for t in listed] == [DEMO_USER_TOKEN_ID]
    assert authenticates(db, {"Authorization": f"Bearer {DEMO_USER_TOKEN}"})


def test_text_output_is_a_table(cli: Run) -> None:
    out = cli("accounts", "list").stdout.splitlines()
    assert out[0].split() == ["ID", "NAME", "TYPE", "MEMBERS"]
    assert out[1].split()[0] == DEMO_ACCOUNT
