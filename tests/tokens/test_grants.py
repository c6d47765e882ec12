"""A token cannot grant more than its creator holds, and points only where its kind
may: account-owned tokens at their own account, user tokens at their own user."""

from __future__ import annotations

from collections.abc import Callable

import cloudflare
import httpx
import pytest

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_USER_ID,
    VIEWER_EMAIL,
    VIEWER_KEY,
    RunningServer,
    bearer,
    error_codes,
    key_headers,
)
from .helpers import (
    ACCOUNT_TOKENS,
    ADMINISTRATOR,
    USER_TOKENS,
    create,
    gid,
    member,
    on_account,
    on_user,
    uid,
)

CEILING = "A token cannot grant more than its creator holds"


def _refused(r: httpx.Response, *words: str) -> None:
    assert r.status_code == 400, r.text
    assert error_codes(r) == [1001]
    message = r.json()["errors"][0]["message"]
    for word in words:
        assert word in message, message


def _post(
    http: httpx.Client, path: str, headers: dict[str, str], *policies: object
) -> httpx.Response:
    return http.post(
        path, json={"name": "t", "policies": list(policies)}, headers=headers
    )


# -- account-owned tokens -------------------------------------------------------------
def test_a_member_grants_only_the_groups_their_roles_give(
    server: RunningServer, http: httpx.Client
) -> None:
    email, key = member(server, ADMINISTRATOR)
    headers = key_headers(email, key)
    ok = _post(http, ACCOUNT_TOKENS, headers, on_account("Workers Scripts Write"))
    assert ok.status_code == 200, ok.text
    r = _post(
        http,
        ACCOUNT_TOKENS,
        headers,
        on_account("Billing Write", "Workers KV Storage Read"),
    )
    _refused(r, CEILING, "'Billing Write'", f"account {DEMO_ACCOUNT}")
    assert "Workers KV Storage Read" not in r.json()["errors"][0]["message"]
    # A deny policy never needs holding.
    denied = _post(
        http,
        ACCOUNT_TOKENS,
        headers,
        on_account("Workers Scripts Write"),
        on_account("Billing Write", effect="deny"),
    )
    assert denied.status_code == 200


def test_a_user_token_grants_what_it_and_its_owner_both_hold(
    server: RunningServer, http: httpx.Client
) -> None:
    maker = create(
        http,
        USER_TOKENS,
        on_account("Account API Tokens Write", "Account Settings Read"),
    )
    headers = bearer(maker["value"])
    assert (
        _post(
            http, ACCOUNT_TOKENS, headers, on_account("Account Settings Read")
        ).status_code
        == 200
    )
    # Its owner is a Super Administrator, but the token lacks Workers KV Storage Write.
    r = _post(http, ACCOUNT_TOKENS, headers, on_account("Workers KV Storage Write"))
    _refused(r, CEILING, "'Workers KV Storage Write'")


def test_an_account_token_grants_what_it_holds(
    server: RunningServer, http: httpx.Client
) -> None:
    maker = create(
        http,
        ACCOUNT_TOKENS,
        on_account("Account API Tokens Write", "Account Settings Read"),
    )
    headers = bearer(maker["value"])
    assert (
        _post(
            http, ACCOUNT_TOKENS, headers, on_account("Account Settings Read")
        ).status_code
        == 200
    )
    r = _post(http, ACCOUNT_TOKENS, headers, on_account("Account Settings Write"))
    _refused(r, CEILING, "'Account Settings Write'")


def test_account_tokens_stay_in_their_account(
    server: RunningServer, http: httpx.Client
) -> None:
    other = "f" * 32
    r = _post(
        http,
        ACCOUNT_TOKENS,
        key_headers(),
        on_account("Account Settings Read", account=other),
    )
    _refused(r, "policies[0].resources", f"com.cloudflare.api.account.{other}")
    r = _post(http, ACCOUNT_TOKENS, key_headers(), on_user("API Tokens Read"))
    _refused(r, "policies[0].resources")
    user_group_on_account = on_account("Account Settings Read")
    user_group_on_account["permission_groups"].append({"id": uid("API Tokens Read")})
    r = _post(http, ACCOUNT_TOKENS, key_headers(), user_group_on_account)
    _refused(r, "policies[0].permission_groups[", "'API Tokens Read'", "user-level")
    # The wildcard account key means its own account here.
    wildcard = {
        "effect": "allow",
        "resources": {"com.cloudflare.api.account.*": "*"},
        "permission_groups": [{"id": gid("Account Settings Read")}],
    }
    assert _post(http, ACCOUNT_TOKENS, key_headers(), wildcard).status_code == 200


def test_an_update_checks_only_what_it_adds(
    server: RunningServer, http: httpx.Client
) -> None:
    billing = on_account("Billing Read")
    made = create(http, ACCOUNT_TOKENS, billing)  # by the Super Administrator
    email, key = member(server, ADMINISTRATOR)  # holds no Billing group
    headers = key_headers(email, key)
    path = f"{ACCOUNT_TOKENS}/{made['id']}"
    renamed = http.put(
        path, json={"name": "renamed", "policies": [billing]}, headers=headers
    )
    assert renamed.status_code == 200, renamed.text
    added = http.put(
        path,
        json={
            "name": "renamed",
            "policies": [on_account("Billing Read", "Billing Write")],
        },
        headers=headers,
    )
    _refused(added, CEILING, "'Billing Write'")
    assert "'Billing Read'" not in added.json()["errors"][0]["message"]


def test_the_sdk_surfaces_the_refusal(
    server: RunningServer, client: Callable[..., cloudflare.Cloudflare]
) -> None:
    email, key = member(server, ADMINISTRATOR)
    c = client(api_email=email, api_key=key)
    with pytest.raises(cloudflare.BadRequestError) as refused:
        c.accounts.tokens.create(
            account_id=DEMO_ACCOUNT, name="t", policies=[on_account("Billing Write")]
        )
    assert refused.value.status_code == 400
    assert CEILING in refused.value.body["errors"][0]["message"]


# -- user tokens ----------------------------------------------------------------------
def test_a_user_grants_on_an_account_what_they_hold_there(
    server: RunningServer, http: httpx.Client
) -> None:
    viewer = key_headers(VIEWER_EMAIL, VIEWER_KEY)  # custom role: organization read
    ok = _post(http, USER_TOKENS, viewer, on_account("Account Settings Read"))
    assert ok.status_code == 200, ok.text
    r = _post(http, USER_TOKENS, viewer, on_account("Account Settings Write"))
    _refused(r, CEILING, "'Account Settings Write'", f"account {DEMO_ACCOUNT}")
    # The Super Administrator holds every account group.
    assert (
        _post(
            http,
            USER_TOKENS,
            key_headers(),
            on_account("Workers KV Storage Write", "Billing Write"),
        ).status_code
        == 200
    )


def test_a_user_grants_nothing_on_an_account_they_are_not_in(
    server: RunningServer, http: httpx.Client
) -> None:
    other = "f" * 32
    server.seed({"accounts": [{"id": other, "name": "Other"}]})
    r = _post(
        http,
        USER_TOKENS,
        key_headers(),
        on_account("Account Settings Read", account=other),
    )
    _refused(r, CEILING, f"account {other}")


def test_all_accounts_needs_the_group_on_one_of_them(
    server: RunningServer, http: httpx.Client
) -> None:
    def everywhere(*names: str) -> dict[str, object]:
        return {
            "effect": "allow",
            "resources": {"com.cloudflare.api.account.*": "*"},
            "permission_groups": [{"id": gid(n)} for n in names],
        }

    viewer = key_headers(VIEWER_EMAIL, VIEWER_KEY)
    assert (
        _post(
            http, USER_TOKENS, viewer, everywhere("Account Settings Read")
        ).status_code
        == 200
    )
    r = _post(http, USER_TOKENS, viewer, everywhere("Billing Write"))
    _refused(r, CEILING, "any of the user's accounts")


def test_a_user_token_gives_what_its_user_holds(
    server: RunningServer, http: httpx.Client
) -> None:
    # "API Tokens Write" lets a token mint tokens with anything its user holds.
    maker = create(http, USER_TOKENS, on_user("API Tokens Write"))
    r = _post(
        http,
        USER_TOKENS,
        bearer(maker["value"]),
        on_account("Workers KV Storage Write"),
        on_user("User Details Read"),
    )
    assert r.status_code == 200, r.text


def test_user_tokens_name_only_their_own_user(
    server: RunningServer, http: httpx.Client
) -> None:
    stranger = "a" * 32
    r = _post(
        http, USER_TOKENS, key_headers(), on_user("API Tokens Read", user_id=stranger)
    )
    _refused(r, "policies[0].resources", f"com.cloudflare.api.user.{stranger}")
    mine = _post(
        http,
        USER_TOKENS,
        key_headers(),
        on_user("API Tokens Read", user_id=DEMO_USER_ID),
    )
    assert mine.status_code == 200
