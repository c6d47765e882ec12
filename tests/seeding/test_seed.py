"""Seed documents: the documented example loads in YAML and JSON, loading is an upsert,
a bad document changes nothing, and an export loads back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from cfaccounts import Settings
from cfaccounts.seeding import SeedError, export_state, load_files
from cfaccounts.server import demo_seed_path, prepare_database
from cfaccounts.services import Services

from .. import factories as f
from ..conftest import DEMO_ACCOUNT, RunningServer, database_url, key_headers


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    settings = Settings.from_env(env={}, database_url=database_url(tmp_path, "seed"))
    services = Services.build(settings, prepare_database(settings))
    yield services
    services.db.dispose()  # close pooled connections (PostgreSQL runs warn otherwise)


def _state(services: Services) -> dict[str, object]:
    with services.db.read() as conn:
        return export_state(conn)


def test_example_loads_from_yaml_and_from_json_alike(
    services: Services, tmp_path: Path
) -> None:
    report = load_files(
        services.db, services.hasher, services.catalogue, [demo_seed_path()]
    )
    assert (report.users, report.accounts, report.members, report.tokens) == (
        2,
        1,
        2,
        2,
    )
    from_yaml = _state(services)
    as_json = tmp_path / "demo.json"
    as_json.write_text(json.dumps(yaml.safe_load(Path(demo_seed_path()).read_text())))
    load_files(services.db, services.hasher, services.catalogue, [str(as_json)])
    assert _comparable(_state(services)) == _comparable(from_yaml)


def _comparable(doc: object) -> object:
    """A state without what a second load legitimately renews: token timestamps and
    the ids minted for policies the document gave without one."""
    if isinstance(doc, dict):
        out = {k: _comparable(v) for k, v in doc.items()}
        for key in ("issued_on", "modified_on"):
            out.pop(key, None)
        if "effect" in out:
            out.pop("id", None)
        return out
    if isinstance(doc, list):
        return [_comparable(v) for v in doc]
    return doc


def test_loading_is_an_upsert_by_id_and_by_email(
    services: Services, tmp_path: Path
) -> None:
    load_files(services.db, services.hasher, services.catalogue, [demo_seed_path()])
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        yaml.safe_dump(
            {
                "users": [{"email": "USER@example.com", "first_name": "Jane"}],
                "accounts": [{"id": DEMO_ACCOUNT, "name": "Renamed"}],
            }
        )
    )
    load_files(services.db, services.hasher, services.catalogue, [str(extra)])
    state = _state(services)
    users = state["users"]
    assert isinstance(users, list) and len(users) == 2
    john = next(u for u in users if u["email"] == "user@example.com")
    assert john["first_name"] == "Jane" and john["last_name"] == "Appleseed"
    accounts = state["accounts"]
    assert isinstance(accounts, list) and accounts[0]["name"] == "Renamed"
    assert len(accounts[0]["members"]) == 2  # untouched parts stay


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"users": [{"email": "a@example.com", "api_key": "nothex"}]},
            "users[0].api_key",
        ),
        ({"accounts": [{"id": "short", "name": "x"}]}, "accounts[0].id"),
        ({"accounts": [{"name": "x", "type": "gold"}]}, "accounts[0].type"),
        (
            {
                "accounts": [
                    {
                        "name": "x",
                        "members": [{"email": "a@example.com", "roles": ["f" * 32]}],
                    }
                ]
            },
            "accounts[0].members[0].roles[0]",
        ),
        (
            {
                "users": [
                    {
                        "email": "a@example.com",
                        "tokens": [{"value": "v" * 40, "policies": []}],
                    }
                ]
            },
            "users[0].tokens[0].policies",
        ),
        ({"accounts": [{"name": "x" * 101}]}, "accounts[0].name"),
        ({"unknown": []}, "unknown"),
    ],
)
def test_bad_documents_name_the_field_and_write_nothing(
    services: Services, tmp_path: Path, doc: dict[str, object], message: str
) -> None:
    good = {"users": [{"email": "first@example.com"}], "accounts": [{"name": "First"}]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**good, **doc} if "unknown" not in doc else doc))
    with pytest.raises(
        SeedError, match=message.replace("[", r"\[").replace("]", r"\]")
    ):
        load_files(services.db, services.hasher, services.catalogue, [str(path)])
    assert _state(services) == {"users": [], "accounts": []}


def test_unreadable_and_malformed_files(services: Services, tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read"):
        load_files(
            services.db,
            services.hasher,
            services.catalogue,
            [str(tmp_path / "none.yaml")],
        )
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(SeedError, match="not valid JSON"):
        load_files(services.db, services.hasher, services.catalogue, [str(broken)])


def test_minted_token_values_are_reported_once(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "mint.yaml"
    policy = f.allow(DEMO_ACCOUNT, "c1fde68c7bcc44588cbb6ddbc16d6480")
    path.write_text(
        yaml.safe_dump(
            {
                "users": [
                    {
                        "email": "m@example.com",
                        "tokens": [{"name": "t", "policies": [policy]}],
                    }
                ]
            }
        )
    )
    report = load_files(services.db, services.hasher, services.catalogue, [str(path)])
    (minted,) = report.minted
    assert minted["value"].startswith("cfut_")
    assert minted["value"] not in json.dumps(_state(services))


def test_export_loads_back_into_an_empty_server(
    server: RunningServer, http: httpx.Client
) -> None:
    before = server.admin("GET", "/state").json()["result"]
    with server.app.services.db.write() as conn:
        from cfaccounts.storage.state import _DATA_TABLES

        for table in _DATA_TABLES:
            conn.execute(table.delete())
    assert (
        http.get(f"/accounts/{DEMO_ACCOUNT}", headers=key_headers()).status_code == 403
    )
    server.seed(before)
    after = server.admin("GET", "/state").json()["result"]
    assert after == before
    assert (
        http.get(f"/accounts/{DEMO_ACCOUNT}", headers=key_headers()).status_code == 200
    )
