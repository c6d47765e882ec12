"""Migrations: an old database keeps its data through an upgrade, the models and the
migrations describe the same schema, instances starting together do not race, and a
server told not to migrate refuses an old schema."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from cfaccounts import Settings
from cfaccounts.cli import main
from cfaccounts.server import NotMigrated, prepare_database
from cfaccounts.storage import migrate
from cfaccounts.storage import schema as s
from cfaccounts.storage.database import Database

NOW = "2026-01-02T03:04:05.000000Z"
NAMES = ["beta", "Beta", "alpha", "Alpha", "_zeta", "Zulu"]
ACCOUNT_IDS = [f"{i:032x}" for i in range(1, len(NAMES) + 1)]


def _fill_old_database(db: Database) -> None:
    """Data as revision 0001 held it: users, accounts, members, a token."""
    # Written as the cfaccounts of that schema did: it had no change counter to bump.
    with db.write(counted=False) as conn:
        conn.execute(
            s.users.insert().values(
                id="a" * 32,
                email="old@example.com",
                tenant_admin=False,
                two_factor_enabled=True,
                suspended=False,
                created_on=NOW,
                modified_on=NOW,
            )
        )
        for account_id, name in zip(ACCOUNT_IDS, NAMES, strict=True):
            conn.execute(
                s.accounts.insert().values(
                    id=account_id,
                    name=name,
                    type="standard",
                    created_on=NOW,
                    settings="{}",
                )
            )
            conn.execute(
                s.members.insert().values(
                    id=account_id[::-1],
                    account_id=account_id,
                    user_id="a" * 32,
                    email="old@example.com",
                    status="accepted",
                    roles="[]",
                    created_on=NOW,
                )
            )
        conn.execute(
            s.tokens.insert().values(
                id="b" * 32,
                kind="user",
                user_id="a" * 32,
                name="old token",
                status="active",
                value_hash="c" * 64,
                issued_on=NOW,
                modified_on=NOW,
                policies="[]",
            )
        )


def _snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    with db.read() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key))]
            for t in (s.users, s.accounts, s.members, s.tokens)
        }


def test_an_old_database_upgrades_with_its_data_kept(
    fresh_url: str, open_db: Callable[[str], Database]
) -> None:
    db = open_db(fresh_url)
    migrate.upgrade(db.engine, "0001")
    assert migrate.current(db.engine) == "0001"
    _fill_old_database(db)
    before = _snapshot(db)

    result = CliRunner().invoke(main, ["migrate", "--database", fresh_url])
    assert result.exit_code == 0, result.output
    assert f"schema 0001 -> {migrate.head()}" in result.output

    assert migrate.is_current(db.engine)
    assert _snapshot(db) == before
    indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("members")}
    assert "ix_members_email" in indexes
    # Names sort byte by byte now on both databases.
    with db.read() as conn:
        ordered = list(
            conn.execute(
                select(s.accounts.c.name).order_by(s.accounts.c.name)
            ).scalars()
        )
    assert ordered == sorted(NAMES, key=lambda n: n.encode())


def test_migrating_a_current_database_changes_nothing(
    fresh_url: str, open_db: Callable[[str], Database]
) -> None:
    db = open_db(fresh_url)
    migrate.upgrade(db.engine)
    _fill_old_database(db)
    before = _snapshot(db)
    result = CliRunner().invoke(main, ["migrate", "--database", fresh_url])
    assert result.exit_code == 0, result.output
    assert _snapshot(db) == before


def test_the_models_and_the_migrations_describe_the_same_schema(
    fresh_url: str, open_db: Callable[[str], Database]
) -> None:
    db = open_db(fresh_url)
    migrate.upgrade(db.engine)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        assert compare_metadata(context, s.metadata) == []


def test_instances_starting_together_migrate_once_without_error(
    fresh_url: str, open_db: Callable[[str], Database]
) -> None:
    dbs = [open_db(fresh_url) for _ in range(3)]
    barrier = threading.Barrier(len(dbs))
    failures: list[BaseException] = []

    def start(db: Database) -> None:
        barrier.wait(10)
        try:
            migrate.upgrade(db.engine)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    assert migrate.is_current(dbs[0].engine)


def test_a_server_told_not_to_migrate_refuses_an_old_schema(
    fresh_url: str, open_db: Callable[[str], Database]
) -> None:
    migrate.upgrade(open_db(fresh_url).engine, "0001")
    settings = Settings.from_env(env={}, database_url=fresh_url, migrate=False)
    with pytest.raises(NotMigrated, match="cfaccounts migrate"):
        prepare_database(settings)
    current = prepare_database(settings.with_(migrate=True))
    try:
        assert migrate.is_current(current.engine)
    finally:
        current.dispose()


def test_postgresql_sortable_columns_use_byte_order(
    fresh_url: str, open_db: Callable[[str], Database]
) -> None:
    db = open_db(fresh_url)
    if db.is_sqlite:
        pytest.skip("SQLite compares text byte by byte already")
    migrate.upgrade(db.engine)
    with db.read() as conn:
        rows = conn.execute(
            text(
                "SELECT table_name, column_name, collation_name "
                "FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND (column_name IN ('name', 'email'))"
            )
        ).all()
    assert {(t, c): coll for t, c, coll in rows} == {
        ("accounts", "name"): "C",
        ("users", "email"): "C",
        ("members", "email"): "C",
        ("tokens", "name"): "C",
        ("roles", "name"): "C",
        ("resource_groups", "name"): "C",
    }


def test_migrate_takes_the_database_from_the_environment(
    fresh_url: str, open_db: Callable[[str], Database]
) -> None:
    # A plain postgresql:// URL (no driver) works as well: it is mapped to psycopg 3.
    url = fresh_url.replace("postgresql+psycopg://", "postgresql://")
    result = CliRunner().invoke(main, ["migrate"], env={"CFACCOUNTS_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert f"schema empty -> {migrate.head()}" in result.output
    assert migrate.is_current(open_db(fresh_url).engine)
