"""Token policies as stored and shown: ids, permission groups sorted by id with names,
nested resources, and how ids survive an update."""

from __future__ import annotations

from collections.abc import Callable

import cloudflare
import httpx
import pytest

from cfaccounts.catalog import catalogue
from cfaccounts.tokens.policies import PolicyError, normalize_policies

from ..conftest import DEMO_ACCOUNT, RunningServer, key_headers
from .helpers import ACCOUNT_KEY, ACCOUNT_TOKENS, KEY, create, gid, on_account

ZONES = {ACCOUNT_KEY: {"com.cloudflare.api.account.zone.*": "*"}}


def test_a_nested_resource_round_trips_through_the_sdk(
    client: Callable[..., cloudflare.Cloudflare],
) -> None:
    c = client(**KEY)
    made = c.accounts.tokens.create(
        account_id=DEMO_ACCOUNT,
        name="zones",
        policies=[
            {
                "effect": "allow",
                "resources": ZONES,
                "permission_groups": [
                    {"id": gid("DNS Write", "com.cloudflare.api.account.zone")}
                ],
            },
            on_account("Account Settings Read"),
        ],
    )
    assert made is not None and made.policies is not None and made.id
    assert made.policies[0].resources == ZONES
    got = c.accounts.tokens.get(made.id, account_id=DEMO_ACCOUNT)
    assert got is not None and got.policies is not None
    assert [p.resources for p in got.policies] == [ZONES, {ACCOUNT_KEY: "*"}]


def test_every_policy_gets_an_id_and_keeps_its_place(
    server: RunningServer, http: httpx.Client
) -> None:
    policies = [
        on_account("Workers Scripts Write"),
        on_account("Billing Read", effect="deny"),
        on_account("Account Settings Read"),
    ]
    made = create(http, ACCOUNT_TOKENS, *policies)
    ids = [p["id"] for p in made["policies"]]
    assert len(set(ids)) == 3 and all(len(i) == 32 for i in ids)
    assert [p["effect"] for p in made["policies"]] == ["allow", "deny", "allow"]


def test_resending_policies_keeps_their_ids(
    server: RunningServer, http: httpx.Client
) -> None:
    first = on_account("Account Settings Read")
    second = on_account("Billing Read")
    made = create(http, ACCOUNT_TOKENS, first, second)
    old = {p["permission_groups"][0]["name"]: p["id"] for p in made["policies"]}
    # Sent again without ids, in another order, with one new policy: the unchanged
    # ones keep their ids, the new one gets a new id.
    third = on_account("Workers Scripts Read")
    r = http.put(
        f"{ACCOUNT_TOKENS}/{made['id']}",
        json={"name": "x", "policies": [second, first, third]},
        headers=key_headers(),
    )
    after = {
        p["permission_groups"][0]["name"]: p["id"]
        for p in r.json()["result"]["policies"]
    }
    assert after["Account Settings Read"] == old["Account Settings Read"]
    assert after["Billing Read"] == old["Billing Read"]
    assert after["Workers Scripts Read"] not in old.values()
    # Sent back as read (with ids), nothing changes.
    echoed = http.put(
        f"{ACCOUNT_TOKENS}/{made['id']}",
        json={"name": "x", "policies": r.json()["result"]["policies"]},
        headers=key_headers(),
    ).json()["result"]["policies"]
    assert echoed == r.json()["result"]["policies"]


def test_group_meta_is_accepted_and_names_come_from_the_catalogue(
    server: RunningServer, http: httpx.Client
) -> None:
    policy = on_account("Account Settings Read")
    policy["permission_groups"][0]["meta"] = {"key": "k", "value": "v"}
    policy["permission_groups"][0]["name"] = "a name the client made up"
    made = create(http, ACCOUNT_TOKENS, policy)
    assert made["policies"][0]["permission_groups"] == [
        {"id": gid("Account Settings Read"), "name": "Account Settings Read"}
    ]


def test_normalize_reuses_ids_and_never_repeats_one() -> None:
    cat = catalogue()
    policy = on_account("Account Settings Read")
    stored = normalize_policies([policy], cat)
    again = normalize_policies([policy, policy], cat, previous=stored)
    assert again[0]["id"] == stored[0]["id"]
    assert again[1]["id"] != stored[0]["id"]
    twice = normalize_policies(
        [{**policy, "id": stored[0]["id"]}, {**policy, "id": stored[0]["id"]}], cat
    )
    assert twice[0]["id"] == stored[0]["id"] and twice[1]["id"] != stored[0]["id"]


@pytest.mark.parametrize(
    "resources",
    [
        {ACCOUNT_KEY: "read"},
        {ACCOUNT_KEY: {"com.cloudflare.api.account.zone.*": "yes"}},
        {ACCOUNT_KEY: {}},
        {ACCOUNT_KEY: 1},
    ],
)
def test_resource_values_are_star_or_nested_stars(resources: object) -> None:
    with pytest.raises(PolicyError, match=r"^policies\[0\]\.resources"):
        normalize_policies(
            [{**on_account("Account Settings Read"), "resources": resources}],
            catalogue(),
        )
