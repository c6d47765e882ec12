"""The admin token check: constant-time, and only when an admin token is configured
(without one the admin routes answer 404, as if they did not exist)."""

from __future__ import annotations

import hmac

from .. import errors
from ..http.request import Request


def check_admin(req: Request) -> None:
    expected = req.services.settings.admin_token
    if not expected:
        raise errors.NO_ROUTE()
    authorization = req.headers.get("authorization", "")
    scheme, _, value = authorization.strip().partition(" ")
    given = value.strip() if scheme.lower() == "bearer" else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise errors.AUTHENTICATION_ERROR()
