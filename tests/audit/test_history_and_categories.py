"""The companions of the v2 list that the SDK knows: the change history of one
event's resource, and the product categories of the product_category filter."""

from __future__ import annotations

import cloudflare
import httpx
import pytest

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_KEY,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
    sdk,
)
from .helpers import V2, WINDOW, fabricate, rename, token_holder


def _key_client(server: RunningServer) -> cloudflare.Cloudflare:
    return sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY)


def _history(http: httpx.Client, event_id: str, **params: str) -> httpx.Response:
    return http.get(
        f"{V2}/{event_id}/history",
        params={"action_time": "2024-01-01T00:00:00Z", **WINDOW, **params},
        headers=key_headers(),
    )


def test_history_lists_the_changes_of_the_same_resource(
    server: RunningServer, http: httpx.Client
) -> None:
    for name in ("One", "Two", "Three"):
        rename(http, name)
    fabricate(server, 2, resource_type="member", product="members")  # other things
    client = _key_client(server)
    events = list(client.accounts.logs.audit.list(account_id=DEMO_ACCOUNT, **WINDOW))
    first = next(e for e in events if e.resource and e.resource.type == "account")
    assert first.id and first.action and first.action.time
    history = client.accounts.logs.audit.history(
        first.id, account_id=DEMO_ACCOUNT, action_time=first.action.time, **WINDOW
    )
    names = [e.resource.response["name"] for e in history if e.resource]  # type: ignore[index]
    assert names == ["Three", "Two", "One"]


async def test_history_pages_with_the_cursor(
    server: RunningServer, http: httpx.Client
) -> None:
    for name in ("One", "Two", "Three"):
        rename(http, name)
    body = http.get(V2, params=WINDOW, headers=key_headers()).json()
    event_id = body["result"][0]["id"]
    page = _history(http, event_id, limit="2", direction="asc").json()
    assert page["result_info"]["history_status"] == "exact"
    assert [e["resource"]["response"]["name"] for e in page["result"]] == ["One", "Two"]
    rest = _history(
        http, event_id, limit="2", direction="asc", cursor=page["result_info"]["cursor"]
    ).json()
    assert [e["resource"]["response"]["name"] for e in rest["result"]] == ["Three"]
    assert "cursor" not in rest["result_info"]
    async with async_sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client:
        history = await client.accounts.logs.audit.history(
            event_id,
            account_id=DEMO_ACCOUNT,
            action_time="2024-01-01T00:00:00Z",
            **WINDOW,
        )
    assert len(history) == 3


def test_an_event_without_a_resource_id_has_no_history(
    server: RunningServer, http: httpx.Client
) -> None:
    from cfaccounts.storage import schema

    fabricate(server, 1)
    with server.app.services.db.write() as conn:
        conn.execute(schema.audit_logs.update().values(resource_id=None))
    event_id = http.get(V2, params=WINDOW, headers=key_headers()).json()["result"][0][
        "id"
    ]
    body = _history(http, event_id).json()
    assert body["result"] == []
    assert body["result_info"] == {"count": "0", "history_status": "unavailable"}


@pytest.mark.parametrize(
    ("event_id", "params", "status", "named"),
    [
        ("0" * 32, {}, 404, None),
        ("x", {}, 404, None),
        ("{fill}", {"action_time": ""}, 400, "action_time"),
        ("{fill}", {"action_time": "soon"}, 400, "action_time"),
        ("{fill}", {"since": ""}, 400, "since"),
    ],
)
def test_history_refuses_what_it_cannot_find_or_read(
    server: RunningServer,
    http: httpx.Client,
    event_id: str,
    params: dict[str, str],
    status: int,
    named: str | None,
) -> None:
    fabricate(server, 1)
    if event_id == "{fill}":
        event_id = http.get(V2, params=WINDOW, headers=key_headers()).json()["result"][
            0
        ]["id"]
    r = _history(http, event_id, **params)
    assert r.status_code == status, r.text
    if named:
        assert named in r.json()["errors"][0]["message"]
    else:
        assert error_codes(r) == [1003]


def test_product_categories_list_and_filter(server: RunningServer) -> None:
    fabricate(server, 2)  # accounts
    fabricate(server, 1, resource_type="account.token", product="api_tokens")
    fabricate(server, 1, resource_type="user", product="user")
    client = _key_client(server)
    categories = {
        c.value: [p.value for p in c.products or []]
        for c in client.accounts.logs.audit.product_categories(account_id=DEMO_ACCOUNT)
    }
    assert categories["account_and_billing"] == ["accounts", "members"]

    def count(**filters: object) -> int:
        return len(
            list(
                client.accounts.logs.audit.list(
                    account_id=DEMO_ACCOUNT,
                    **WINDOW,
                    **filters,  # type: ignore[arg-type]
                )
            )
        )

    assert count(product_category=["account_and_billing"]) == 2
    assert count(product_category=["IDENTITY_AND_ACCESS"]) == 2
    assert count(product_category=["account_and_billing", "identity_and_access"]) == 4
    # A category is a union with explicit products.
    assert (
        count(
            product_category=["identity_and_access"],
            extra_query={"resource_product": ["accounts"]},
        )
        == 4
    )
    with pytest.raises(cloudflare.BadRequestError):
        count(product_category=["astronomy"])


def test_the_companions_need_the_same_groups(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 1)
    _, value = token_holder(server, "Billing Read")
    for path in (f"{V2}/product_categories", f"{V2}/{'a' * 32}/history"):
        r = http.get(path, params=WINDOW, headers=bearer(value))
        assert r.status_code == 403 and error_codes(r) == [9109]
