"""Times: RFC 3339 in, fixed-width UTC text stored, ``Z`` on the wire; a time that
cannot be represented is a bad value (400), never a server error."""

from __future__ import annotations

import httpx
import pytest

from cfaccounts import times

from .conftest import ACCOUNT_SETTINGS_READ, DEMO_ACCOUNT, key_headers


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2018-07-01T05:20:00Z", "2018-07-01T05:20:00.000000Z"),
        ("2020-01-01T00:00:00+00:00", "2020-01-01T00:00:00.000000Z"),
        ("2020-01-01T02:00:00+02:00", "2020-01-01T00:00:00.000000Z"),
        ("2014-03-01T12:21:02.0000Z", "2014-03-01T12:21:02.000000Z"),
        ("2020-01-01T00:00:00", "2020-01-01T00:00:00.000000Z"),
    ],
)
def test_parse_and_store(given: str, stored: str) -> None:
    assert times.to_db(times.parse(given)) == stored


def test_wire_drops_a_zero_fraction_only() -> None:
    assert times.wire("2018-07-01T05:20:00.000000Z") == "2018-07-01T05:20:00Z"
    assert times.wire("2018-07-01T05:20:00.250000Z") == "2018-07-01T05:20:00.250000Z"
    assert times.wire(None) is None


@pytest.mark.parametrize(
    "bad", ["", "yesterday", "9999-12-31T23:59:59-05:00", "x" * 50]
)
def test_unrepresentable_or_junk_times_are_value_errors(bad: str) -> None:
    with pytest.raises(ValueError):
        times.parse(bad)


def test_a_token_expiring_past_year_9999_is_a_400(http: httpx.Client) -> None:
    body = {
        "name": "far future",
        "expires_on": "9999-12-31T23:59:59-05:00",
        "policies": [
            {
                "effect": "allow",
                "resources": {f"com.cloudflare.api.account.{DEMO_ACCOUNT}": "*"},
                "permission_groups": [{"id": ACCOUNT_SETTINGS_READ}],
            }
        ],
    }
    r = http.post(f"/accounts/{DEMO_ACCOUNT}/tokens", headers=key_headers(), json=body)
    assert r.status_code == 400
    assert "expires_on" in r.json()["errors"][0]["message"]
