"""Operator commands: list, show, create and remove users, accounts, members and
tokens directly on a database, and export its state, for people and scripts (``--json``
and meaningful exit codes, see ``common``). No server is needed."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add the operator commands to the ``cfaccounts`` command group."""
    from .accounts import accounts
    from .export import export
    from .members import members
    from .tokens import tokens
    from .users import users

    for command in (users, accounts, members, tokens, export):
        main.add_command(command)
