"""The router remembers recent matches; what it remembers must never change what a
request gets."""

from __future__ import annotations

import pytest

from cfaccounts import errors
from cfaccounts.http import routing
from cfaccounts.http.routing import Access, Route, Router

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"


def _handler(_req: object) -> object:
    raise AssertionError("not called")


def _router() -> Router:
    return Router(
        [
            Route("GET", "/accounts/{account_id}", _handler, "details", Access.PUBLIC),
            Route("GET", "/user/tokens/verify", _handler, "verify", Access.PUBLIC),
            Route("GET", "/user/tokens/{token_id}", _handler, "token", Access.PUBLIC),
        ]
    )


def test_a_remembered_match_gives_each_request_its_own_parameters() -> None:
    router = _router()
    path = f"/accounts/{ACCOUNT}"
    route, params = router.match("GET", path, path)
    params["account_id"] = "changed by a handler"
    again, params_again = router.match("GET", path, path)
    assert again is route
    assert params_again == {"account_id": ACCOUNT}


def test_failures_are_not_remembered_and_stay_failures() -> None:
    router = _router()
    for _ in range(2):
        with pytest.raises(errors.ApiError) as caught:
            router.match("POST", f"/accounts/{ACCOUNT}", "")
        assert caught.value.status == 405
        with pytest.raises(errors.ApiError) as caught:
            router.match("GET", "/accounts/not-an-id", "/accounts/not-an-id")
        assert caught.value.status == 400


def test_literal_segments_still_win_when_remembered() -> None:
    router = _router()
    for _ in range(2):
        route, _ = router.match("GET", "/user/tokens/verify", "")
        assert route.operation_id == "verify"


def test_what_is_remembered_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routing, "MATCHES_REMEMBERED", 8)
    router = _router()
    for i in range(20):
        path = f"/accounts/{i:032x}"
        _, params = router.match("GET", path, path)
        assert params == {"account_id": f"{i:032x}"}
    assert len(router._matched) <= 8
