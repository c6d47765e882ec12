"""The pytest plugin, run as a user would run it: pytester writes a user's test files
and runs pytest on them, with the plugin loaded from the package's entry point."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
asyncio_default_test_loop_scope = function
filterwarnings = error
"""

ACCOUNT = "0f0e0d0c0b0a09080706050403020100"
EMAIL = "owner@example.org"
KEY = "0123456789abcdef0123456789abcdef"
SUPER_ADMIN = "33666b9c79b9a5273fc7344ff42f953d"

OWN_SEED = {
    "users": [{"email": EMAIL, "api_key": KEY}],
    "accounts": [
        {
            "id": ACCOUNT,
            "name": "Own Account",
            "members": [{"email": EMAIL, "roles": [SUPER_ADMIN]}],
        }
    ],
}


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makeini(INI)
    return pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", *args)


def test_a_test_that_names_only_the_fixtures_talks_to_a_real_server(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_user_code="""
        import cloudflare
        import httpx

        ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"

        def test_sync(cloudflare_client):
            assert cloudflare_client.accounts.get(account_id=ACCOUNT).name == (
                "Demo Account"
            )

        async def test_async(async_cloudflare_client):
            account = await async_cloudflare_client.accounts.get(account_id=ACCOUNT)
            assert account.id == ACCOUNT

        def test_code_that_builds_its_own_client(cfaccounts_env):
            with cloudflare.Cloudflare() as client:
                assert client.accounts.get(account_id=ACCOUNT).id == ACCOUNT

        def test_raw_http(cfaccounts_server):
            r = httpx.get(f"{cfaccounts_server.base_url}/accounts/{ACCOUNT}")
            assert r.status_code == 400  # no credentials: a real check, not a stub
            assert r.json()["errors"][0]["code"] == 9106
        """
    )
    run(pytester).assert_outcomes(passed=4)


def test_state_is_reset_before_every_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_reset=f"""
        import cloudflare
        import pytest

        NEW = {{"accounts": [{{"id": "{ACCOUNT}", "name": "Added",
                "members": [{{"email": "user@example.com",
                             "roles": ["{SUPER_ADMIN}"]}}]}}]}}

        def test_first_adds_an_account(cfaccounts_server, cloudflare_client):
            cfaccounts_server.seed(NEW)
            assert cloudflare_client.accounts.get(account_id="{ACCOUNT}").name == (
                "Added"
            )

        def test_second_does_not_see_it(cfaccounts_server, cloudflare_client):
            assert [a["id"] for a in cfaccounts_server.state()["accounts"]] == [
                "023e105f4ecef8ad9ca31a8372d0c353"
            ]
            with pytest.raises(cloudflare.PermissionDeniedError):
                cloudflare_client.accounts.get(account_id="{ACCOUNT}")

        def test_reset_within_a_test(cfaccounts_server):
            cfaccounts_server.seed(NEW)
            cfaccounts_server.reset()
            assert len(cfaccounts_server.state()["accounts"]) == 1
        """
    )
    run(pytester).assert_outcomes(passed=3)


def test_seed_from_a_dict_given_by_the_users_conftest(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        f"""
        import pytest

        @pytest.fixture
        def cfaccounts_seed():
            return {OWN_SEED!r}
        """
    )
    pytester.makepyfile(
        test_own=f"""
        import cloudflare
        import pytest

        def test_reads_its_own_account(cloudflare_client):
            assert cloudflare_client.accounts.get(account_id="{ACCOUNT}").name == (
                "Own Account"
            )

        def test_the_demo_data_is_not_there(cfaccounts_server, cloudflare_client):
            assert cfaccounts_server.credentials == {{
                "api_email": "{EMAIL}", "api_key": "{KEY}"
            }}
            with pytest.raises(cloudflare.PermissionDeniedError):
                cloudflare_client.accounts.get(
                    account_id="023e105f4ecef8ad9ca31a8372d0c353"
                )
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_seed_from_a_file_named_in_the_ini(pytester: pytest.Pytester) -> None:
    pytester.makefile(".json", seed=json.dumps(OWN_SEED))
    pytester.makeini(INI + "cfaccounts_seed = seed.json\n")
    pytester.makepyfile(
        test_file=f"""
        def test_reads_the_seeded_account(cloudflare_client):
            assert cloudflare_client.accounts.get(account_id="{ACCOUNT}").name == (
                "Own Account"
            )
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_seed_from_a_file_and_the_demo_data_per_module(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".json", seed=json.dumps(OWN_SEED))
    pytester.makepyfile(
        test_mixed=f"""
        import pathlib
        import pytest
        from cfaccounts.testing import DEMO, DEMO_SEED

        @pytest.fixture
        def cfaccounts_seed():
            return [DEMO_SEED, pathlib.Path(__file__).parent / "seed.json"]

        def test_both_accounts_exist(cloudflare_client):
            # The demo user comes first, so its global key is the credential.
            assert cloudflare_client.accounts.get(account_id=DEMO.account_id)
            names = sorted(a.name for a in cloudflare_client.accounts.list())
            assert names == ["Demo Account"]

        def test_the_seeded_owner(cfaccounts_server):
            client = cfaccounts_server.client(api_email="{EMAIL}", api_key="{KEY}")
            with client:
                assert client.accounts.get(account_id="{ACCOUNT}").name == (
                    "Own Account"
                )
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_a_token_chosen_by_overriding_the_credentials(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_token="""
        import cloudflare
        import pytest
        from cfaccounts.testing import DEMO

        @pytest.fixture
        def cfaccounts_credentials():
            return {"api_token": DEMO.account_token}

        def test_the_token_is_used(cloudflare_client, cfaccounts_env):
            assert cfaccounts_env["CLOUDFLARE_API_TOKEN"] == DEMO.account_token
            assert "CLOUDFLARE_API_KEY" not in cfaccounts_env
            # Listing accounts is refused to account-owned tokens.
            with pytest.raises(cloudflare.BadRequestError):
                cloudflare_client.accounts.list()
            assert cloudflare_client.accounts.get(account_id=DEMO.account_id)
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_a_seed_file_that_does_not_exist_is_named_in_the_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI + "cfaccounts_seed = missing.yaml\n")
    pytester.makepyfile(
        test_missing="""
        def test_uses_the_server(cfaccounts_server):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*missing.yaml: cannot read*"])


def test_the_plugin_is_registered_by_the_package(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fixtures="""
        def test_nothing():
            pass
        """
    )
    pytester.makeini(INI)
    result = pytester.runpytest("--fixtures", "-p", "no:randomly")
    for name in (
        "cfaccounts_server",
        "cfaccounts_seed",
        "cfaccounts_credentials",
        "cloudflare_client",
        "async_cloudflare_client",
        "cfaccounts_env",
    ):
        result.stdout.fnmatch_lines([f"{name} -- *cfaccounts*plugin.py*"])
