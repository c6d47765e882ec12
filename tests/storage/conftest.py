"""Fixtures for storage tests: a fresh database of this run's kind, and Database
objects on it that are always disposed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cfaccounts.storage.database import Database

from ..conftest import database_url


@pytest.fixture
def fresh_url(tmp_path: Path) -> str:
    """A new, empty database (SQLite file or PostgreSQL database) with no schema."""
    return database_url(tmp_path, "storage")


@pytest.fixture
def open_db() -> Iterator[Callable[[str], Database]]:
    """``open_db(url)`` gives a Database disposed at the end of the test."""
    opened: list[Database] = []

    def make(url: str) -> Database:
        db = Database(url)
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.dispose()
