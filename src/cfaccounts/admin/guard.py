"""The admin token check: constant-time, and only when an admin token is configured
(without one the admin routes answer 404, as if they did not exist).

The admin API also answers only clients on the loopback interface unless the server
was started with ``--admin-allow-remote``: to anyone else it does not exist (404), token
or not, so a server listening on a public address does not offer its admin token to
guessing."""

from __future__ import annotations

import functools
import hmac
import ipaddress

from .. import errors
from ..http.request import Request


@functools.lru_cache(maxsize=256)
def is_loopback(address: str) -> bool:
    """Whether a client address is on the loopback interface (127.0.0.0/8, ::1, or
    an IPv4-mapped loopback address). Anything that does not parse is not."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def check_admin(req: Request) -> None:
    settings = req.services.settings
    expected = settings.admin_token
    if not expected:
        raise errors.NO_ROUTE()
    if not settings.admin_allow_remote and not is_loopback(req.client_ip):
        raise errors.NO_ROUTE()
    authorization = req.headers.get("authorization", "")
    scheme, _, value = authorization.strip().partition(" ")
    given = value.strip() if scheme.lower() == "bearer" else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise errors.AUTHENTICATION_ERROR()
