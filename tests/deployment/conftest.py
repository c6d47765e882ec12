"""Fixtures for deployment tests: ``serve`` starts real server processes and makes
sure none outlives its test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ..conftest import database_url
from .processes import ServeProcess

Serve = Callable[..., ServeProcess]


@pytest.fixture
def fresh_database(tmp_path: Path) -> str:
    """A new, empty database of this run's kind (SQLite file or PostgreSQL)."""
    return database_url(tmp_path, "deployment")


@contextmanager
def _serving(tmp: Path) -> Iterator[Serve]:
    started: list[ServeProcess] = []

    def start(url: str, *args: str, **kw: object) -> ServeProcess:
        log = tmp / f"serve-{len(started)}.log"
        proc = ServeProcess(url, log, *args, **kw)  # type: ignore[arg-type]
        started.append(proc)
        return proc.start()

    try:
        yield start
    finally:
        for proc in started:
            proc.kill()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """``serve(database_url, *args, **kw)`` starts ``cfaccounts serve`` and returns it
    once it answers; every process started is killed at the end of the test."""
    with _serving(tmp_path) as start:
        yield start


@pytest.fixture(scope="module")
def instances(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    """Two instances on one database, shared by a module's tests (each test seeds its
    own objects): the first migrates and loads the demo data, the second neither."""
    tmp = tmp_path_factory.mktemp("instances")
    with _serving(tmp) as start:
        url = database_url(tmp, "instances")
        first = start(url)
        yield first, start(url, "--no-migrate", demo=False)


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """One ``serve --workers 3`` on a fresh database, shared by a module's tests:
    requests really run in parallel (a single process runs one handler at a time)."""
    tmp = tmp_path_factory.mktemp("workers")
    with _serving(tmp) as start:
        yield start(database_url(tmp, "workers"), "--workers", "3")
