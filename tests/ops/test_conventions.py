"""What every operator command shares: --help, shell completion, and exit 4 when the
database cannot be used."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
import pytest

from cfaccounts.cli import main

from .conftest import invoke

OPERATOR_COMMANDS = [
    ("users", "list"),
    ("users", "show", "someone@example.com"),
    ("accounts", "list"),
    ("accounts", "show", "00000000000000000000000000000000"),
    ("members", "list", "--account", "00000000000000000000000000000000"),
    ("tokens", "list"),
    ("tokens", "show", "00000000000000000000000000000000"),
    ("tokens", "revoke", "00000000000000000000000000000000"),
    ("export",),
]


def _all_commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    out = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _all_commands(command, (*path, name))
        else:
            out.append((*path, name))
    return out


@pytest.mark.parametrize("path", _all_commands(main), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: cfaccounts")


def test_bash_completion_script_comes_from_the_environment_variable() -> None:
    result = invoke(env={"_CFACCOUNTS_COMPLETE": "bash_source"})
    assert result.exit_code == 0
    assert "_CFACCOUNTS_COMPLETE=bash_complete" in result.stdout


def test_completion_offers_the_subcommands() -> None:
    result = invoke(
        env={
            "_CFACCOUNTS_COMPLETE": "bash_complete",
            "COMP_WORDS": "cfaccounts tok",
            "COMP_CWORD": "1",
        }
    )
    assert "plain,tokens" in result.stdout


@pytest.mark.parametrize("args", OPERATOR_COMMANDS, ids=" ".join)
def test_a_missing_sqlite_file_exits_4_without_creating_it(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    path = tmp_path / "typo.sqlite3"
    result = invoke(*args, "--database", f"sqlite:///{path}")
    assert result.exit_code == 4, result.output
    assert "no database at" in result.stderr
    assert not path.exists()


def test_a_database_that_is_not_migrated_exits_4(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    result = invoke("users", "list", "--database", f"sqlite:///{path}")
    assert result.exit_code == 4
    assert "cfaccounts migrate" in result.stderr


def test_an_unreachable_postgresql_exits_4() -> None:
    # Nothing listens on port 1 of the loopback interface.
    url = "postgresql://postgres@127.0.0.1:1/none"
    result = invoke("accounts", "list", "--database", url)
    assert result.exit_code == 4, result.output
    assert "database unreachable" in result.stderr
