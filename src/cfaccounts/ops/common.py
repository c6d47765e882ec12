"""What every operator command shares: opening the database without changing it, the
exit codes, and printing a result as text or JSON.

Exit codes: 0 success; 1 not found (or a confirmation declined); 2 bad arguments
(click's usage errors, and values the data rules refuse); 3 conflict (it exists
already); 4 database unreachable, missing or not migrated.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ..services import Services

EXIT_NOT_FOUND = 1
EXIT_BAD_ARGUMENTS = 2
EXIT_CONFLICT = 3
EXIT_UNREACHABLE = 4

F = TypeVar("F", bound=Callable[..., Any])


class NotFound(click.ClickException):
    exit_code = EXIT_NOT_FOUND


class BadArgument(click.ClickException):
    exit_code = EXIT_BAD_ARGUMENTS


class Conflict(click.ClickException):
    exit_code = EXIT_CONFLICT


class Unreachable(click.ClickException):
    exit_code = EXIT_UNREACHABLE


database_option = click.option(
    "--database",
    "database_url",
    envvar="CFACCOUNTS_DATABASE_URL",
    help="SQLAlchemy URL of the database [default: sqlite:///cfaccounts.sqlite3].",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON."
)


def operation(fn: F) -> F:
    """Map the failures of a command body to its exit codes."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import OperationalError

        from ..seeding import SeedError
        from ..storage.database import DatabaseUnavailable

        try:
            return fn(*args, **kwargs)
        except (DatabaseUnavailable, OperationalError) as exc:
            raise Unreachable(f"database unreachable: {_first_line(exc)}") from None
        except SeedError as exc:
            raise BadArgument(str(exc)) from None

    return run  # type: ignore[return-value]


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_services(database_url: str | None) -> Services:
    """The database named by ``--database`` (or the environment), as it is: a
    missing SQLite file or a schema that is not current is an error (exit 4), never
    created or migrated behind the operator's back."""
    from ..config import Settings
    from ..services import Services
    from ..storage import migrate
    from ..storage.database import Database

    settings = Settings.from_env(database_url=database_url)
    db = Database(settings.database_url)
    # Close the pool when the command ends (PostgreSQL connections would otherwise
    # outlive it, until garbage collection, in a process that runs several commands).
    click.get_current_context().call_on_close(db.dispose)
    shown = db.display_url()
    if db.is_sqlite and not Path(db.url.database or "").exists():
        raise Unreachable(
            f"no database at {shown}; create one with: cfaccounts migrate "
            f"--database {shown}"
        )
    if not migrate.is_current(db.engine):
        raise Unreachable(
            f"the schema of {shown} is not current; run: cfaccounts migrate "
            f"--database {shown}"
        )
    return Services.build(settings, db)


def dump_json(value: Any) -> str:
    import orjson

    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def emit(value: Any, as_json: bool, text: Callable[[Any], str]) -> None:
    """Print ``value`` as JSON, or as ``text(value)``."""
    click.echo(dump_json(value) if as_json else text(value))


def table(rows: Sequence[dict[str, Any]], columns: Iterable[str]) -> str:
    """Rows as aligned columns with a header (``-`` for an empty value)."""
    cols = list(columns)
    cells = [[_cell(r.get(c)) for c in cols] for r in rows]
    widths = [
        max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(cols)
    ]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(cols, widths, strict=True))]
    for row in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def fields(value: dict[str, Any], keys: Iterable[str] | None = None) -> str:
    """One ``key: value`` line per field."""
    keys = list(keys) if keys is not None else list(value)
    width = max(len(k) for k in keys) if keys else 0
    return "\n".join(f"{k.ljust(width)}  {_cell(value.get(k))}" for k in keys)


def confirm_or_stop(yes: bool, question: str) -> None:
    """Ask before a destructive change, unless ``--yes``; without a terminal to ask
    on, ``--yes`` is required."""
    import sys

    if yes:
        return
    if not sys.stdin.isatty():
        raise BadArgument(f"{question} Refusing without --yes (no terminal to ask).")
    if not click.confirm(question, default=False):
        raise NotFound("nothing changed")
