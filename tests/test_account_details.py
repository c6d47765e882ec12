"""Account Details through the official SDK, as Cloudflare's own example calls it."""

from __future__ import annotations

import os
import subprocess
import sys

import cloudflare
import pytest

from .conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_TOKEN,
    VIEWER_EMAIL,
    VIEWER_KEY,
    RunningServer,
    async_sdk,
    sdk,
)

CREDENTIALS = {
    "global key": {"api_email": DEMO_EMAIL, "api_key": DEMO_KEY},
    "user token": {"api_token": DEMO_USER_TOKEN},
    "account token": {"api_token": DEMO_ACCOUNT_TOKEN},
    "custom role member": {"api_email": VIEWER_EMAIL, "api_key": VIEWER_KEY},
}


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_sync_client_reads_the_demo_account(
    server: RunningServer, credential: str
) -> None:
    account = sdk(server, **CREDENTIALS[credential]).accounts.get(
        account_id=DEMO_ACCOUNT
    )
    assert account is not None
    assert account.id == DEMO_ACCOUNT
    assert account.name == "Demo Account"
    assert account.type == "standard"
    assert account.settings is not None and account.settings.enforce_twofactor is True
    assert account.settings.abuse_contact_email == "abuse@example.com"
    assert account.managed_by is not None
    assert account.managed_by.parent_org_name == "Demo Parent Organization"
    assert account.created_on is not None and account.created_on.year == 2014


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_async_client_reads_the_demo_account(
    server: RunningServer, credential: str
) -> None:
    async with async_sdk(server, **CREDENTIALS[credential]) as client:
        account = await client.accounts.get(account_id=DEMO_ACCOUNT)
    assert account is not None and account.id == DEMO_ACCOUNT


def test_unknown_account_is_refused_like_a_foreign_one(server: RunningServer) -> None:
    client = sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY)
    with pytest.raises(cloudflare.PermissionDeniedError) as unknown:
        client.accounts.get(account_id="0" * 32)
    assert unknown.value.errors[0].code == 9109


EXAMPLE = """
import os
from cloudflare import Cloudflare

client = Cloudflare(_strict_response_validation=True)
account = client.accounts.get(account_id=os.environ["ACCOUNT_ID"])
print(account.id)
"""


@pytest.mark.parametrize(
    "env",
    [
        {"CLOUDFLARE_EMAIL": DEMO_EMAIL, "CLOUDFLARE_API_KEY": DEMO_KEY},
        {"CLOUDFLARE_API_TOKEN": DEMO_USER_TOKEN},
    ],
    ids=["global key", "token"],
)
def test_cloudflare_example_runs_unchanged_from_the_environment(
    server: RunningServer, env: dict[str, str]
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    clean.update(env, CLOUDFLARE_BASE_URL=server.base_url, ACCOUNT_ID=DEMO_ACCOUNT)
    out = subprocess.run(
        [sys.executable, "-c", EXAMPLE],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == DEMO_ACCOUNT
