"""No secret leaks: after a full round of calls with known secrets (the demo global
keys and token values, a token created and rolled during the test, the admin token,
and well-formed secrets that are wrong), none of them appears in the logs (at DEBUG),
in the admin state export, in an error message, or in the database."""

from __future__ import annotations

import logging
from pathlib import Path

import cloudflare
import httpx
import pytest
from sqlalchemy import MetaData, create_engine, select

from ..conftest import (
    ACCOUNT_SETTINGS_READ,
    ADMIN_TOKEN,
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_TOKEN,
    VIEWER_EMAIL,
    VIEWER_KEY,
    RunningServer,
    bearer,
    key_headers,
    sdk,
)
from ..factories import account, allow, api_key, token, token_value, user

WRONG_KEY = "0123456789abcdef0123456789abcdef01"
WRONG_TOKEN = "Zz9" + "q" * 40


def database_text(url: str) -> bytes:
    """Everything the database holds: the raw file bytes for SQLite (free pages and
    the write-ahead log too), every row of every table otherwise."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return b"".join(
            p.read_bytes()
            for p in (path, path.with_name(path.name + "-wal"))
            if p.exists()
        )
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        out = []
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                out.extend(repr(tuple(row)) for row in conn.execute(select(table)))
        return "\n".join(out).encode()
    finally:
        engine.dispose()


def test_no_secret_reaches_logs_state_errors_or_the_database(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seeded_key, seeded_token = api_key(), token_value("cfut_")
    seeded_account_token = token_value("cfat_")
    other = account("Secrets Account")
    other["tokens"] = [
        token(seeded_account_token, allow(other["id"], ACCOUNT_SETTINGS_READ))
    ]
    seeded_user = user(
        api_key=seeded_key,
        tokens=[token(seeded_token, allow(other["id"], ACCOUNT_SETTINGS_READ))],
    )
    other["members"] = [{"email": seeded_user["email"], "roles": []}]
    server.seed({"users": [seeded_user], "accounts": [other]})

    key_client = sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY)
    created = key_client.user.tokens.create(
        name="made in the test",
        policies=[
            {
                "effect": "allow",
                "resources": {f"com.cloudflare.api.account.{DEMO_ACCOUNT}": "*"},
                "permission_groups": [{"id": ACCOUNT_SETTINGS_READ}],
            }
        ],
    )
    assert created is not None and created.value and created.id
    new_value = created.value
    sdk(server, api_token=new_value).accounts.get(account_id=DEMO_ACCOUNT)
    rolled = key_client.user.tokens.value.update(token_id=created.id)
    assert isinstance(rolled, str) and rolled != new_value
    sdk(server, api_token=rolled).user.tokens.verify()

    error_bodies: list[str] = []
    with httpx.Client(base_url=server.base_url) as http:
        calls = [
            ("GET", f"/accounts/{DEMO_ACCOUNT}", key_headers()),
            ("GET", f"/accounts/{DEMO_ACCOUNT}", bearer(DEMO_USER_TOKEN)),
            ("GET", f"/accounts/{DEMO_ACCOUNT}", bearer(DEMO_ACCOUNT_TOKEN)),
            ("GET", "/accounts", key_headers(VIEWER_EMAIL, VIEWER_KEY)),
            ("GET", f"/accounts/{other['id']}", bearer(seeded_account_token)),
            ("GET", f"/accounts/{other['id']}", bearer(seeded_token)),
            ("GET", "/user", key_headers(seeded_user["email"], seeded_key)),
            # Refusals, which are what gets logged in detail.
            ("GET", f"/accounts/{DEMO_ACCOUNT}", key_headers(DEMO_EMAIL, WRONG_KEY)),
            ("GET", f"/accounts/{DEMO_ACCOUNT}", bearer(WRONG_TOKEN)),
            ("GET", f"/accounts/{DEMO_ACCOUNT}", bearer(new_value)),  # rolled away
            ("GET", f"/accounts/{DEMO_ACCOUNT}", bearer(seeded_account_token)),
            ("GET", "/user", bearer(DEMO_ACCOUNT_TOKEN)),
            ("GET", f"/accounts/{DEMO_ACCOUNT}", bearer(ADMIN_TOKEN)),
            ("GET", f"/accounts/{DEMO_ACCOUNT}", {"X-Auth-Key": DEMO_KEY}),
            ("GET", f"/accounts/{DEMO_ACCOUNT}", {"Authorization": DEMO_USER_TOKEN}),
            ("GET", f"/accounts/{DEMO_ACCOUNT}", {"X-Auth-Email": DEMO_KEY}),
        ]
        for method, path, headers in calls:
            reply = http.request(method, path, headers=headers)
            if reply.status_code >= 400:
                error_bodies.append(reply.text)
        admin_refused = httpx.get(
            f"{server.url}/_cfaccounts/state", headers=bearer(ADMIN_TOKEN + "x")
        )
        error_bodies.append(admin_refused.text)
    assert len(error_bodies) >= 9
    state = server.admin("GET", "/state").text

    secrets = {
        "demo key": DEMO_KEY,
        "viewer key": VIEWER_KEY,
        "demo user token": DEMO_USER_TOKEN,
        "demo account token": DEMO_ACCOUNT_TOKEN,
        "admin token": ADMIN_TOKEN,
        "created token": new_value,
        "rolled token": rolled,
        "seeded key": seeded_key,
        "seeded user token": seeded_token,
        "seeded account token": seeded_account_token,
        "wrong key": WRONG_KEY,
        "wrong token": WRONG_TOKEN,
    }
    # The server's records only: the client libraries of this test log on their own.
    server_records = [
        r for r in caplog.records if r.name.startswith(("cfaccounts", "uvicorn"))
    ]
    assert server_records, "the calls above are logged"
    log_text = "\n".join(f"{r.getMessage()} {vars(r)!r}" for r in server_records)
    stored = database_text(server.settings.database_url)
    for name, secret in secrets.items():
        assert secret not in log_text, f"{name} is in the logs"
        assert secret not in state, f"{name} is in the state export"
        for body in error_bodies:
            assert secret not in body, f"{name} is in an error: {body}"
        assert secret.encode() not in stored, f"{name} is in the database"


def test_sdk_errors_do_not_echo_the_credential(server: RunningServer) -> None:
    client = sdk(server, api_token=WRONG_TOKEN)
    with pytest.raises(cloudflare.AuthenticationError) as caught:
        client.accounts.get(account_id=DEMO_ACCOUNT)
    assert WRONG_TOKEN not in str(caught.value)
