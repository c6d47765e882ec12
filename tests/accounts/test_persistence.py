"""Accounts written through the API are in the database, not in the process: a second
server opened on the same database (the first one still running) reads them back."""

from __future__ import annotations

from .. import factories
from ..conftest import RunningServer, sdk


def test_created_and_updated_accounts_survive_into_another_server(
    server: RunningServer,
) -> None:
    admin = factories.user(api_key=factories.api_key(), tenant_admin=True)
    server.seed({"users": [admin]})
    key = {"api_email": admin["email"], "api_key": admin["api_key"]}
    client = sdk(server, **key)
    kept = client.accounts.create(name="Kept", idempotency_key="persist")
    gone = client.accounts.create(name="Gone")
    assert kept is not None and gone is not None
    client.accounts.update(
        account_id=kept.id,
        id=kept.id,
        name="Kept And Renamed",
        type="enterprise",
        settings={"abuse_contact_email": "abuse@kept.example"},
    )
    client.accounts.delete(account_id=gone.id)

    second = RunningServer(server.settings).start()
    try:
        other = sdk(second, **key)
        (account,) = list(other.accounts.list())
        assert (account.id, account.name, account.type) == (
            kept.id,
            "Kept And Renamed",
            "enterprise",
        )
        assert account.settings is not None
        assert account.settings.abuse_contact_email == "abuse@kept.example"
        # The idempotency key is remembered by the database too.
        again = other.accounts.create(name="Kept", idempotency_key="persist")
        assert again is not None and again.id == kept.id
    finally:
        second.stop()
