"""``cfaccounts export`` writes a seed document that ``cfaccounts seed`` loads back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ..conftest import DEMO_ACCOUNT, DEMO_EMAIL, DEMO_KEY, DEMO_USER_TOKEN, database_url
from .conftest import Run, as_json, authenticates, invoke


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_export_then_seed_into_a_new_database_round_trips(
    cli: Run, tmp_path: Path, suffix: str
) -> None:
    # Some state beyond the demo data, including a token minted by the command.
    second = cli("accounts", "create", "--name", "Second", "--owner", "o@example.com")
    assert second.exit_code == 0, second.output
    token = as_json(
        cli(
            "tokens", "create", "--account", DEMO_ACCOUNT, "--name", "minted",
            "--group", "Account Settings Read", "--json",
        )
    )["value"]  # fmt: skip
    path = tmp_path / f"state{suffix}"
    exported = cli("export", "--output", str(path))
    assert exported.exit_code == 0, exported.output
    doc = (
        json.loads(path.read_text())
        if suffix == ".json"
        else yaml.safe_load(path.read_text())
    )
    assert DEMO_KEY not in path.read_text() and token not in path.read_text()

    target = database_url(tmp_path, "target")
    assert invoke("migrate", "--database", target).exit_code == 0
    loaded = invoke("seed", str(path), "--database", target)
    assert loaded.exit_code == 0, loaded.output
    again = invoke("export", "--database", target)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == doc
    # The credentials come along (the same secret key hashes them).
    assert authenticates(target, {"X-Auth-Email": DEMO_EMAIL, "X-Auth-Key": DEMO_KEY})
    assert authenticates(target, {"Authorization": f"Bearer {token}"})
    assert authenticates(target, {"Authorization": f"Bearer {DEMO_USER_TOKEN}"})


def test_export_to_standard_output_is_json(cli: Run) -> None:
    doc = as_json(cli("export"))
    assert [a["id"] for a in doc["accounts"]] == [DEMO_ACCOUNT]
    assert {u["email"] for u in doc["users"]} == {DEMO_EMAIL, "viewer@example.com"}


def test_export_warns_when_the_secret_key_lives_in_the_database(db: str) -> None:
    result = invoke("export", "--database", db, env={"CFACCOUNTS_SECRET_KEY": ""})
    assert result.exit_code == 0
    assert "same secret key" in result.stderr
    json.loads(result.stdout)  # the warning stays off standard output
