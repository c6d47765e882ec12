"""Fixtures of the token tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import cloudflare
import pytest

from ..conftest import RunningServer, sdk


@pytest.fixture
def client(server: RunningServer) -> Iterator[Callable[..., cloudflare.Cloudflare]]:
    """Make sync SDK clients on the session server (closed after the test)."""
    made: list[cloudflare.Cloudflare] = []

    def make(**credentials: Any) -> cloudflare.Cloudflare:
        c = sdk(server, **credentials)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
